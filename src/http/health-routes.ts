import type { FastifyInstance } from 'fastify';

import type { Store } from '../store/index.js';

/** `GET /healthz`: the process answers. `GET /readyz`: and the store can be written now (else 503). */
export function healthRoutes(store: Store) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', async () => ({ ok: true }));
    app.get('/readyz', async () => {
      await store.checkWritable();
      return { ok: true, store: store.backend };
    });
  };
}
