import type { RestProduct } from '../telecmi/index.js';
import { type HistoryList, type HistoryRow, historyRowsOf } from './history-rows.js';

/** What a post to the history did. */
export interface HistoryAddResult {
  /** Rows added or replaced, by list. */
  readonly added: Partial<Record<HistoryList, number>>;
  /** Payloads that hold no history row, with why (first few). */
  readonly ignored: number;
  readonly reasons: string[];
}

/** The fake's call history: what TeleCMI keeps of every call, whether or not its webhooks got through. */
export interface History {
  add(payloads: readonly unknown[], product: 'chub' | 'chub-india'): HistoryAddResult;
  /** The rows of one list of one app in a window (inclusive), newest first. */
  list(appId: string, product: RestProduct, list: HistoryList, from: number, to: number): HistoryRow[];
  /** PIOPIY: the row of one leg. */
  byCmiuuid(appId: string, cmiuuid: string): HistoryRow | null;
  /** PIOPIY: the rows of a request's legs. */
  byRequestId(appId: string, requestId: string): HistoryRow[];
  /** Whether the app has this recording or voicemail file. */
  hasFile(appId: string, file: string): boolean;
  all(): HistoryRow[];
  clear(): void;
}

/** An in-memory {@link History}. Posting one CDR twice keeps one row (TeleCMI's history has one per call). */
export function createHistory(): History {
  const rows = new Map<string, HistoryRow>();
  const files = new Set<string>();
  const keyOf = (row: Pick<HistoryRow, 'appId' | 'product' | 'list' | 'id'>): string =>
    `${row.appId}|${row.product}|${row.list}|${row.id}`;
  return {
    add(payloads, product) {
      const added: Partial<Record<HistoryList, number>> = {};
      const reasons: string[] = [];
      let ignored = 0;
      for (const payload of payloads) {
        const conversion = historyRowsOf(payload, product);
        if ('ignored' in conversion) {
          ignored += 1;
          if (reasons.length < 5 && !reasons.includes(conversion.ignored)) reasons.push(conversion.ignored);
          continue;
        }
        for (const row of conversion.rows) {
          rows.set(keyOf(row), row);
          if (row.file !== undefined) files.add(`${row.appId}|${row.file}`);
          added[row.list] = (added[row.list] ?? 0) + 1;
        }
      }
      return { added, ignored, reasons };
    },
    list(appId, product, list, from, to) {
      return [...rows.values()]
        .filter((row) => row.appId === appId && row.product === product && row.list === list)
        .filter((row) => row.time >= from && row.time <= to)
        .sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    byCmiuuid(appId, cmiuuid) {
      return rows.get(keyOf({ appId, product: 'piopiy', list: 'piopiy', id: cmiuuid })) ?? null;
    },
    byRequestId(appId, requestId) {
      return [...rows.values()]
        .filter((row) => row.appId === appId && row.list === 'piopiy' && row.requestId === requestId)
        .sort((a, b) => a.time - b.time || String(a.row['leg']).localeCompare(String(b.row['leg'])));
    },
    hasFile: (appId, file) => files.has(`${appId}|${file}`),
    all: () => [...rows.values()],
    clear() {
      rows.clear();
      files.clear();
    },
  };
}
