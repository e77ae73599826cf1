import type { FastifyInstance } from 'fastify';

import { checkFault, type Faults } from './faults.js';
import type { History } from './history.js';
import type { FakeRequest } from './server.js';

/** What the control routes reach. */
export interface ControlState {
  readonly history: History;
  readonly faults: Faults;
  readonly requests: FakeRequest[];
}

/**
 * The fake's own routes, under `/_fake` (TeleCMI has none of them): fill the history, inject faults, read the
 * request log. They need no secret: the fake is for development and tests only.
 */
export function registerControlRoutes(app: FastifyInstance, state: ControlState): void {
  app.addContentTypeParser(
    ['application/x-ndjson', 'text/plain'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  app.post('/_fake/history', async (request, reply) => {
    const product = (request.query as { product?: string }).product ?? 'chub';
    if (product !== 'chub' && product !== 'chub-india')
      return reply
        .code(400)
        .send({ ok: false, error: { code: 'BAD_REQUEST', message: 'product is chub or chub-india.' } });
    const payloads = payloadsOf(request.body);
    if (typeof payloads === 'string')
      return reply.code(400).send({ ok: false, error: { code: 'BAD_REQUEST', message: payloads } });
    return { ok: true, ...state.history.add(payloads, product) };
  });
  app.get('/_fake/history', async () => ({
    rows: state.history
      .all()
      .map(({ appId, product, list, time, row }) => ({ appId, product, list, time, row })),
  }));
  app.delete('/_fake/history', async () => {
    state.history.clear();
    return { ok: true };
  });

  app.post('/_fake/faults', async (request, reply) => {
    const fault = checkFault(request.body);
    if (typeof fault === 'string')
      return reply.code(400).send({ ok: false, error: { code: 'BAD_REQUEST', message: fault } });
    state.faults.add(fault);
    return { ok: true, faults: state.faults.list() };
  });
  app.get('/_fake/faults', async () => ({ faults: state.faults.list() }));
  app.delete('/_fake/faults', async () => {
    state.faults.clear();
    return { ok: true };
  });

  app.get('/_fake/requests', async () => ({ requests: state.requests }));
  app.delete('/_fake/requests', async () => {
    state.requests.length = 0;
    return { ok: true };
  });
}

/** One payload, an array of them, or NDJSON text. */
function payloadsOf(body: unknown): unknown[] | string {
  if (Array.isArray(body)) return body as unknown[];
  if (typeof body === 'object' && body !== null) return [body];
  if (typeof body !== 'string') return 'Send a webhook payload, an array of them, or NDJSON.';
  const payloads: unknown[] = [];
  for (const [index, line] of body.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      payloads.push(JSON.parse(line));
    } catch {
      return `Line ${index + 1} is not JSON.`;
    }
  }
  return payloads;
}
