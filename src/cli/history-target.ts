import { classifyKind } from '../telecmi/index.js';
import { parseUrl } from './flags.js';
import { type Answer, createSender } from './http-sender.js';

/** Where a command sends every CDR it generates: the history of a local TeleCMI (`telehook fake-telecmi`). */
export interface HistoryTarget {
  /** `<origin>/_fake/history?product=…`, for messages. */
  readonly url: URL;
  post(payload: Readonly<Record<string, unknown>>): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * The history endpoint of the fake TeleCMI at `--history-url` (its origin, as `telehook fake-telecmi` prints it).
 * `product` tells the fake CHUB India's CDRs from CHUB's, which their payloads do not; PIOPIY's it tells itself.
 */
export function createHistoryTarget(text: string, product: string, connections: number): HistoryTarget {
  const origin = parseUrl('--history-url', text);
  const url = new URL(`${origin.pathname.replace(/\/+$/, '')}/_fake/history`, origin.origin);
  url.searchParams.set('product', product === 'chub-india' ? 'chub-india' : 'chub');
  const sender = createSender(url, connections);
  return { url, post: (payload) => sender.post(JSON.stringify(payload)), close: () => sender.close() };
}

/** Whether TeleCMI keeps a payload in its call history: its CDRs (the fake decides which list, or none). */
export const isCdr = (payload: Readonly<Record<string, unknown>>): boolean => classifyKind(payload) === 'cdr';
