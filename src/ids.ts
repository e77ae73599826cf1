import { monotonicFactory } from 'ulidx';

/** Makes ids that sort in the order they were made, within one process: ULIDs, monotonic within a millisecond. */
export function createIdFactory(): () => string {
  const next = monotonicFactory();
  return () => next();
}
