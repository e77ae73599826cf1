import { StoreError } from '../errors.js';
import { GroupCommit, isItemFault } from './group-commit.js';
import type { AppendResult, NewEvent, NewQuarantinedRequest, Store } from './store.js';

/** One unit of work for an adapter's group commit: an event to append or a request to quarantine. */
export type WriteOp =
  { type: 'event'; input: NewEvent } | { type: 'quarantine'; input: NewQuarantinedRequest };
/** An event's result carries its place in the table (`seq`), which the store keeps for the projection. */
export type WriteResult = (AppendResult & { seq: number }) | null;

/** The error of any call on a closed store: retryable, as by the next process that opens it. */
export const closedStoreError = (): StoreError => new StoreError('The store is closed.', { retryable: true });

/**
 * The appends of a store through its group commit (`commitWrites` writes one batch in one transaction), refused
 * once the store is closed; `drain` waits for what was submitted.
 */
export function createAppends(
  commitWrites: (ops: WriteOp[]) => WriteResult[] | Promise<WriteResult[]>,
  isClosed: () => boolean,
  maxBatch?: number,
): Pick<Store, 'appendEvent' | 'quarantineRequest'> & { drain(): Promise<void> } {
  const commits = new GroupCommit<WriteOp, WriteResult>(commitWrites, maxBatch, isItemFault);
  const submit = (op: WriteOp): Promise<WriteResult> =>
    isClosed() ? Promise.reject(closedStoreError()) : commits.submit(op);
  return {
    appendEvent: async (input) => {
      const { id, duplicate } = (await submit({ type: 'event', input }))!;
      return { id, duplicate };
    },
    quarantineRequest: async (input) => {
      await submit({ type: 'quarantine', input });
    },
    drain: () => commits.drain(),
  };
}
