import type { Role, SessionUser } from '../store/index.js';

/** Who may call a route, declared in its `config` (read by the /api authorizer). */
export interface AccessConfig {
  /** The read-only viewer token may GET this route (the wallboard's routes); so may every signed-in person. */
  readonly viewer?: boolean;
  /** The token may come as `?token=` (EventSource cannot send headers). */
  readonly tokenInQuery?: boolean;
  /** Why the viewer token may not use this route, when it may not (the answer's message). */
  readonly viewerRefusal?: string;
  /**
   * The least role a signed-in person needs for this route. @defaultValue 'viewer' to read a route marked
   * `viewer`, else 'admin' (endpoints, deliveries, reconcile runs, raw events: configuration and its secrets)
   */
  readonly role?: Role;
}

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends AccessConfig {}
  interface FastifyRequest {
    /** The signed-in person whose session cookie this request carries; null for a token (or nobody). */
    person: SessionUser | null;
  }
}
