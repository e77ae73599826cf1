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
