/**
 * One request in flight per TeleCMI app, across every client of this process: TeleCMI's API is someone else's
 * server, and a reconcile run, a recording being played and a PIOPIY look-up all count against the same account.
 * Waiters go in the order they asked.
 */
const tails = new Map<string, Promise<void>>();

/**
 * Runs `work` once the app's earlier holders are done, and frees the slot when `work` settles. Returns what
 * `work` returns.
 *
 * @example
 * const answer = await withAppSlot('1111113', () => request(...));
 */
export async function withAppSlot<T>(appId: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(appId) ?? Promise.resolve();
  let release!: () => void;
  const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
  tails.set(appId, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    // The last holder leaves no entry behind, so a process that talks to many apps does not grow.
    if (tails.get(appId) === tail) tails.delete(appId);
  }
}
