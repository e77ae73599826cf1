/** Who may call a route, declared in its `config` (read by the /api authorizer). */
export interface AccessConfig {
  /** The read-only viewer token may GET this route (the wallboard's routes). */
  readonly viewer?: boolean;
  /** The token may come as `?token=` (EventSource cannot send headers). */
  readonly tokenInQuery?: boolean;
  /** Why the viewer token may not use this route, when it may not (the answer's message). */
  readonly viewerRefusal?: string;
}

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends AccessConfig {}
}
