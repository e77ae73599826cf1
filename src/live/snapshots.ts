/** The snapshot a stream starts from: the projection position it reflects, and its text, formatted once. */
export interface SharedSnapshot {
  readonly position: string | null;
  readonly bytes: Buffer;
}

/**
 * Streams that connect at nearly the same moment (a room of wallboards after a restart or a network blip) share
 * one snapshot instead of computing and holding one each. A stream joins the next computation, which starts once
 * the one under way (if any) is done; never the one under way: it may have read the store before the stream
 * subscribed to the bus, and the changes in between would be lost to it.
 */
export function createSnapshotSharing(compute: () => Promise<SharedSnapshot>): () => Promise<SharedSnapshot> {
  let running: Promise<unknown> = Promise.resolve();
  let next: Promise<SharedSnapshot> | null = null;
  return () => {
    if (next) return next;
    const after = running
      .catch(() => undefined)
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    const started = after.then(() => {
      next = null;
      return compute();
    });
    next = started;
    running = started;
    return started;
  };
}
