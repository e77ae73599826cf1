import { describe, expect, it } from 'vitest';

import type { StoreLocation } from './contract.js';
import { storeRunner } from './store-runner.js';

const user = (name: string, role: 'viewer' | 'supervisor' | 'admin' = 'viewer', at = 1_000) => ({
  name,
  role,
  passwordHash: `scrypt$hash-of-${name}`,
  createdAt: at,
  updatedAt: at,
});

/** The people part of the Store contract: users and sessions, run against every adapter. */
export function describePeopleContract(name: string, createLocation: () => Promise<StoreLocation>): void {
  describe(`Store contract (people): ${name}`, () => {
    const withStore = storeRunner(createLocation);

    it('adds users once by name, lists them by name without their hashes, and keeps them across a reopen', async () => {
      await withStore(async (store, location) => {
        expect(await store.addUser(user('zoe', 'admin'))).toBe(true);
        expect(await store.addUser(user('asha', 'supervisor'))).toBe(true);
        expect(await store.addUser(user('asha', 'admin', 2_000))).toBe(false);
        expect(await store.getUser('asha')).toEqual(user('asha', 'supervisor'));
        expect(await store.getUser('nobody')).toBeNull();
        await store.close();
        const reopened = await location.open();
        try {
          expect(await reopened.listUsers()).toEqual([
            { name: 'asha', role: 'supervisor', createdAt: 1_000, updatedAt: 1_000 },
            { name: 'zoe', role: 'admin', createdAt: 1_000, updatedAt: 1_000 },
          ]);
        } finally {
          await reopened.close();
        }
      });
    });

    it('finds a session until it expires, and never after it ends', async () => {
      await withStore(async (store) => {
        await store.addUser(user('asha', 'supervisor'));
        await store.startSession({ tokenHash: 'h1', name: 'asha', createdAt: 1_000, expiresAt: 5_000 });
        expect(await store.findSession('h1', 4_999)).toEqual({
          name: 'asha',
          role: 'supervisor',
          expiresAt: 5_000,
        });
        expect(await store.findSession('h1', 5_000)).toBeNull();
        expect(await store.findSession('other', 2_000)).toBeNull();
        await store.endSession('h1');
        expect(await store.findSession('h1', 2_000)).toBeNull();
      });
    });

    it("ends a user's sessions when their password changes or they are removed", async () => {
      await withStore(async (store) => {
        await store.addUser(user('asha'));
        await store.addUser(user('ravi'));
        await store.startSession({ tokenHash: 'a1', name: 'asha', createdAt: 1_000, expiresAt: 9_000 });
        await store.startSession({ tokenHash: 'r1', name: 'ravi', createdAt: 1_000, expiresAt: 9_000 });
        expect(await store.setUserPassword('asha', 'scrypt$new', 2_000)).toBe(true);
        expect((await store.getUser('asha'))?.passwordHash).toBe('scrypt$new');
        expect((await store.getUser('asha'))?.updatedAt).toBe(2_000);
        expect(await store.findSession('a1', 2_000)).toBeNull();
        expect(await store.findSession('r1', 2_000)).not.toBeNull();
        expect(await store.removeUser('ravi')).toBe(true);
        expect(await store.findSession('r1', 2_000)).toBeNull();
        expect(await store.removeUser('ravi')).toBe(false);
        expect(await store.setUserPassword('ravi', 'x', 3_000)).toBe(false);
        // A user added again under a removed name does not inherit a session.
        await store.addUser(user('ravi'));
        expect(await store.findSession('r1', 2_000)).toBeNull();
      });
    });
    it('changes a role, which a live session carries at once', async () => {
      await withStore(async (store) => {
        await store.addUser(user('asha', 'viewer'));
        await store.startSession({ tokenHash: 'a1', name: 'asha', createdAt: 1_000, expiresAt: 9_000 });
        expect(await store.setUserRole('asha', 'supervisor', 2_000)).toBe(true);
        expect(await store.findSession('a1', 2_000)).toEqual({
          name: 'asha',
          role: 'supervisor',
          expiresAt: 9_000,
        });
        expect(await store.getUser('asha')).toMatchObject({
          role: 'supervisor',
          createdAt: 1_000,
          updatedAt: 2_000,
        });
        expect(await store.setUserRole('nobody', 'admin', 3_000)).toBe(false);
        expect(await store.listUsers()).toEqual([
          { name: 'asha', role: 'supervisor', createdAt: 1_000, updatedAt: 2_000 },
        ]);
      });
    });
    it('keeps what supervisors did about callers, oldest first, by time and by number', async () => {
      await withStore(async (store, location) => {
        const action = (number: string, at: number, by = 'sam') =>
          ({ number, action: 'handled', note: `called ${number} back`, by, at }) as const;
        await store.recordFollowupAction(action('911', 3_000));
        await store.recordFollowupAction(action('922', 1_000, 'API token'));
        await store.recordFollowupAction(action('911', 2_000));
        await store.close();
        const reopened = await location.open();
        try {
          expect(await reopened.listFollowupActions({ from: 0 })).toEqual([
            action('922', 1_000, 'API token'),
            action('911', 2_000),
            action('911', 3_000),
          ]);
          expect(await reopened.listFollowupActions({ from: 2_500 })).toEqual([action('911', 3_000)]);
          expect(await reopened.listFollowupActions({ from: 0, number: '922' })).toEqual([
            action('922', 1_000, 'API token'),
          ]);
          expect(await reopened.listFollowupCalls({ from: 0, to: 10_000 })).toEqual([]);
        } finally {
          await reopened.close();
        }
      });
    });
  });
}
