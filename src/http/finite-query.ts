import type { FastifyReply, FastifyRequest } from 'fastify';

import { QueryError } from '../errors.js';

type QuerySchema = { querystring?: { properties?: Record<string, { description?: string }> } } | undefined;

/**
 * A preHandler for routes with numeric query parameters. Ajv coerces `?limit=1e309` to Infinity and then skips
 * `minimum`/`maximum` for a value that is not finite, so Infinity reached the store (a 503). Any query number that
 * is not finite is refused here as 400 QUERY_INVALID, naming the parameter.
 */
export function rejectNonFiniteQuery(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: (error?: Error) => void,
): void {
  const query = request.query as Record<string, unknown> | undefined;
  if (query === undefined || query === null) return done();
  for (const [name, value] of Object.entries(query)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((item) => typeof item === 'number' && !Number.isFinite(item))) {
      const schema = request.routeOptions.schema as QuerySchema;
      const accepts = schema?.querystring?.properties?.[name]?.description ?? 'a finite number';
      return done(new QueryError(name, accepts));
    }
  }
  done();
}
