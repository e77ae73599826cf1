import { describe, expect, it } from 'vitest';

import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('commits everything submitted in one turn of the event loop as one batch', async () => {
    const batches: number[][] = [];
    const commits = new GroupCommit<number, number>((items) => {
      batches.push(items);
      return items.map((item) => item * 2);
    });
    const results = await Promise.all([1, 2, 3, 4].map((item) => commits.submit(item)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('caps a batch and commits the rest in the next one', async () => {
    const batches: number[][] = [];
    const commits = new GroupCommit<number, number>((items) => {
      batches.push(items);
      return items;
    }, 3);
    await Promise.all([1, 2, 3, 4, 5].map((item) => commits.submit(item)));
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects every item of a failed batch and keeps working', async () => {
    let fail = true;
    const commits = new GroupCommit<number, number>((items) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const failed = await Promise.allSettled([commits.submit(1), commits.submit(2)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(commits.submit(3)).resolves.toBe(3);
  });

  it('commits each item of a batch alone when one item fails it, so that only that item is rejected', async () => {
    const batches: number[][] = [];
    const commits = new GroupCommit<number, number>(
      (items) => {
        batches.push(items);
        if (items.includes(13)) throw new RangeError('item 13 cannot be stored');
        return items;
      },
      512,
      (error) => error instanceof RangeError,
    );
    const results = await Promise.allSettled([12, 13, 14].map((item) => commits.submit(item)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it("rejects the whole batch, without committing items alone, when the failure is not an item's", async () => {
    const batches: number[][] = [];
    const commits = new GroupCommit<number, number>(
      (items) => {
        batches.push(items);
        throw new Error('disk full');
      },
      512,
      (error) => error instanceof RangeError,
    );
    const results = await Promise.allSettled([1, 2].map((item) => commits.submit(item)));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(batches).toEqual([[1, 2]]);
  });

  it('forms the next batch while an async commit runs, and drains on demand', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const commits = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items;
    });
    const first = commits.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [commits.submit(2), commits.submit(3)];
    expect(commits.pending).toBe(2);
    release();
    const drained = commits.drain();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3]);
    await drained;
    expect(batches).toEqual([[1], [2, 3]]);
  });
});
