import { StoreError } from '../errors.js';

/**
 * Group commit: work submitted during one turn of the event loop is committed together, in one transaction
 * and one fsync, and every submitter's promise settles after that commit. Durability then costs one fsync per
 * batch instead of one per request. While a commit is running (an async one, for a networked database), new
 * work waits and forms the next batch.
 */
export class GroupCommit<Item, Result> {
  private queue: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;

  /**
   * @param commit commits a batch in one transaction and returns one result per item, in order; if it throws,
   *   nothing of the batch was committed, and every item of the batch is rejected with the error.
   * @param maxBatch the most items in one transaction, to bound a batch's latency.
   * @param isolate whether an error may come from one item rather than from the database (a value it refuses, a
   *   bug on a strange input): then each item of the failed batch is committed alone, so that only the items that
   *   fail alone are rejected. A real write failure (disk full, busy) rejects the batch.
   */
  private readonly commit: (items: Item[]) => Result[] | Promise<Result[]>;
  private readonly maxBatch: number;
  private readonly isolate: (error: unknown) => boolean;

  constructor(
    commit: (items: Item[]) => Result[] | Promise<Result[]>,
    maxBatch = 512,
    isolate: (error: unknown) => boolean = () => false,
  ) {
    this.commit = commit;
    this.maxBatch = maxBatch;
    this.isolate = isolate;
  }

  /** Queues an item; resolves with its result once its batch is committed. */
  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** How many items wait for a commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Commits everything queued now, and waits for commits in flight. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running !== null) {
      if (this.running !== null) await this.running;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running !== null) return;
    this.scheduled = true;
    // setImmediate runs after the I/O callbacks of this turn: every request parsed in it joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running !== null || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    const done = this.run(batch);
    this.running = done;
    await done;
    this.running = null;
    if (this.queue.length > 0) this.schedule();
  }

  private async run(batch: typeof this.queue): Promise<void> {
    try {
      const results = await this.commit(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index] as Result));
    } catch (error) {
      if (batch.length > 1 && this.isolate(error)) {
        for (const entry of batch) await this.run([entry]);
        return;
      }
      for (const entry of batch) entry.reject(error);
    }
  }
}

/**
 * Whether a failed write or fold may be the fault of one of its items rather than of the database: any error that
 * is not a StoreError (a bug on a strange value), or a StoreError by which the database refused a value. Such a
 * batch is retried item by item; a database failure (disk full, busy, closed) is not, and is retried later whole.
 */
export function isItemFault(error: unknown): boolean {
  return !(error instanceof StoreError) || error.isDataError;
}
