import { createHash } from 'node:crypto';

import type { Store } from '../store/index.js';
import {
  type CallEvent,
  canonicalJson,
  createVoicemailMatcher,
  normalise,
  parseRestRow,
  type RestCallList,
  type RestRowSource,
} from '../telecmi/index.js';
import { matchRow } from './match.js';
import type { RestRow } from './paging.js';
import type { TelecmiApi, TimeWindow } from './telecmi-api.js';

const CALL_LISTS: readonly RestCallList[] = ['answered', 'missed', 'out_answered', 'out_missed'];

/** What one reconcile of a window did. */
export interface ReconcileCounts {
  rowsFetched: number;
  eventsAdded: number;
  callsAdded: number;
}

export interface ReconcileOptions {
  readonly api: TelecmiApi;
  readonly store: Store;
  readonly newId: () => string;
  readonly now: () => number;
  /** Told after every page read (a progress bar, the run's heartbeat). */
  readonly onProgress?: (
    counts: ReconcileCounts & { readonly phase: 'fetching' | 'storing' },
  ) => void | Promise<void>;
  readonly signal?: AbortSignal;
  /** PIOPIY: a call is looked up once its last event is this old. @defaultValue 5 min */
  readonly settleMs?: number;
}

/** One row read, with what it is read with. */
interface FetchedRow {
  readonly row: RestRow;
  readonly source: RestRowSource;
}

/**
 * Reads TeleCMI's history of a window and stores what telehook lacks, as events with `source: "backfill"` that the
 * projection folds like any other. Everything is read first, and only then is anything stored: a wrong secret, a
 * TeleCMI that fails or times out mid-run (after the client's retries) stores nothing. A run that dies while
 * storing is completed by the next run over the window: what it stored is then known (by id, and by the events'
 * dedupe keys), so nothing is stored twice.
 */
export async function reconcileWindow(
  options: ReconcileOptions,
  window: TimeWindow,
): Promise<ReconcileCounts> {
  const counts: ReconcileCounts = { rowsFetched: 0, eventsAdded: 0, callsAdded: 0 };
  const fetched =
    options.api.product === 'piopiy'
      ? await fetchPiopiy(options, window, counts)
      : await fetchHistory(options, window, counts);
  await options.onProgress?.({ ...counts, phase: 'storing' });
  const seen = new Set<string>();
  for (const { row, source } of fetched) {
    const read = readRow(row.raw, source, options);
    if (read === null) continue;
    // Two rows of one leg in one run (a resent page, an overlap of lists): the first is enough.
    if (read.event.legId !== null && seen.has(read.event.legId)) continue;
    if (read.event.legId !== null) seen.add(read.event.legId);
    const match = await matchRow(options.store, read.event);
    if (match.kind === 'known') continue;
    // Matched by details only, the row is read again as the CDR of the call it matched, to fold into it.
    const stored =
      match.kind === 'completes' && match.by === 'details'
        ? readRow(row.raw, { ...source, call: match.call.key }, options)
        : { event: read.event, source };
    if (stored === null) continue;
    const result = await options.store.appendEvent({
      event: stored.event,
      body: Buffer.from(row.raw, 'utf8'),
      dedupeKey: backfillDedupeKey(row.raw, stored.source),
      method: 'POST',
      contentType: 'application/json',
      source: 'backfill',
      restSource: stored.source,
    });
    if (result.duplicate) continue;
    counts.eventsAdded += 1;
    if (match.kind === 'new') counts.callsAdded += 1;
  }
  return counts;
}

/** A row read into the event it is stored as; null for a row that is not one JSON object. */
function readRow(
  raw: string,
  source: RestRowSource,
  options: Pick<ReconcileOptions, 'newId' | 'now'>,
): { event: CallEvent; source: RestRowSource } | null {
  const parsed = parseRestRow(raw, source);
  if (!parsed.ok) return null;
  return { event: normalise(parsed.value, { id: options.newId(), receivedAt: options.now() }), source };
}

/** The same row read again (a second run) has the same key, so the store keeps it once. */
export function backfillDedupeKey(raw: string, source: RestRowSource): string {
  return createHash('sha256')
    .update('backfill\n')
    .update(canonicalJson({ source, row: JSON.parse(raw) as unknown }))
    .digest('hex');
}

/** CHUB and CHUB India: the four call lists and the voicemail list of the window, every page. */
async function fetchHistory(
  options: ReconcileOptions,
  window: TimeWindow,
  counts: ReconcileCounts,
): Promise<FetchedRow[]> {
  const { api, signal } = options;
  const voicemailRows: RestRow[] = [];
  for await (const page of api.pages('voicemail', window, { signal })) {
    voicemailRows.push(...page.rows);
    counts.rowsFetched += page.rows.length;
    await options.onProgress?.({ ...counts, phase: 'fetching' });
  }
  const voicemails = createVoicemailMatcher(voicemailRows.map((row) => row.row));
  const fetched: FetchedRow[] = [];
  for (const list of CALL_LISTS)
    for await (const page of api.pages(list, window, { signal })) {
      for (const row of page.rows) {
        const voicemail = list === 'missed' ? voicemails.match(row.row) : null;
        fetched.push({ row, source: { product: api.product, list, appId: api.appId, voicemail } });
      }
      counts.rowsFetched += page.rows.length;
      await options.onProgress?.({ ...counts, phase: 'fetching' });
    }
  return fetched;
}

/**
 * PIOPIY has no history list: every call of the window that has live events but no CDR, and whose last event is
 * older than `settleMs` (its CDR had time to arrive), is asked for by each of its leg ids (`cmiuuid_cdr`).
 */
async function fetchPiopiy(
  options: ReconcileOptions,
  window: TimeWindow,
  counts: ReconcileCounts,
): Promise<FetchedRow[]> {
  const { api, store, signal } = options;
  const settledBefore = options.now() - (options.settleMs ?? 5 * 60_000);
  const fetched: FetchedRow[] = [];
  for (let after: string | null = null; ;) {
    const page = await store.listCalls({
      from: window.from,
      to: window.to + 1,
      after,
      limit: 500,
      order: 'asc',
    });
    for (const call of page.items) {
      if (call.product !== 'piopiy' || call.closedBy === 'cdr' || call.closedBy === 'backfill') continue;
      if (call.lastEventAt > settledBefore) continue;
      const events: CallEvent[] = await store.listCallEvents(call.key);
      const legIds = [
        ...new Set(events.map((event) => event.legId).filter((id): id is string => id !== null)),
      ];
      for (const cmiuuid of legIds) {
        const row = await api.cdrByCmiuuid(cmiuuid, { signal });
        if (row === null) continue;
        counts.rowsFetched += 1;
        fetched.push({ row, source: { product: 'piopiy', list: 'cmiuuid_cdr', appId: api.appId, cmiuuid } });
      }
      await options.onProgress?.({ ...counts, phase: 'fetching' });
    }
    if (page.next === null) return fetched;
    after = page.next;
  }
}
