/** The snapshot a stream starts from: the projection position it reflects, and its text, formatted once. */
export interface SharedSnapshot {
  readonly position: string | null;
  readonly bytes: Buffer;
}

/**
 * Streams that connect at nearly the same moment (a room of wallboards after a restart or a network blip) share
 * one snapshot instead of computing and holding one each. A stream joins the next computation that has not
 * started yet, never one already under way: that one may have read the store before the stream subscribed to
 * the bus, and the changes in between would be lost to it.
 */
export function createSnapshotSharing(compute: () => Promise<SharedSnapshot>): () => Promise<SharedSnapshot> {
  let next: Promise<SharedSnapshot> | null = null;
  return () => {
    next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      next = null;
      return compute();
    });
    return next;
  };
}
