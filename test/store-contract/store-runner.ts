import type { Store } from '../../src/store/index.js';
import type { StoreLocation } from './contract.js';

/**
 * Runs a test body with a store opened at a new location (and the location, to open it again), closing the store
 * after it whatever happens: the contract suites' way to get a fresh store.
 */
export function storeRunner(createLocation: () => Promise<StoreLocation>) {
  return async <T>(run: (store: Store, location: StoreLocation) => Promise<T>): Promise<T> => {
    const location = await createLocation();
    const store = await location.open();
    try {
      return await run(store, location);
    } finally {
      await store.close();
    }
  };
}

/**
 * The same with a second connection to the store's location (another process's, as `telehook forget` run beside a
 * server), closed after the body too.
 */
export function twoConnectionsRunner(createLocation: () => Promise<StoreLocation>) {
  const withStore = storeRunner(createLocation);
  return <T>(run: (store: Store, other: Store) => Promise<T>): Promise<T> =>
    withStore(async (store, location) => {
      const other = await location.open();
      try {
        return await run(store, other);
      } finally {
        await other.close();
      }
    });
}
