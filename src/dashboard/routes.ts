import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const STATIC = new URL('./static/', import.meta.url);
const require = createRequire(import.meta.url);

/**
 * The strict policy of every page: scripts and styles only from this server, no inline code, no framing, no
 * referrer (the wallboard URL carries the viewer token). Team names, numbers and custom fields come from outside
 * and are only ever written into the page as text, and this policy stops anything that slipped through.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // The call page's audio elements play recordings from this server's /api/calls/:key/recording.
  "media-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

function load(url: URL | string): Asset {
  const path = typeof url === 'string' ? url : url.pathname;
  const extension = path.split('.').pop() ?? '';
  return { body: readFileSync(url), type: TYPES[extension] ?? 'application/octet-stream' };
}

/** What every visitor may load without signing in: the sign-in page and the files pages are made of. */
const OPEN_ROUTES = new Set(['/login', '/dashboard/*', '/favicon.ico']);

/** Where a signed-out visitor of `url` is sent: the sign-in page, which brings them back after. */
export function loginLocation(url: string): string {
  return url === '/' ? '/login' : `/login?next=${encodeURIComponent(url)}`;
}

/**
 * The wallboard (`/`), the call history (`/calls`), a call's page (`/calls/:key`), the supervisor's pages
 * (`/followups`, `/reports`, `/users`) and the sign-in page (`/login`), with their scripts and styles. The pages hold no data: they read the viewer (or API) token from their URL, or
 * ride on the session cookie, and talk to /api and /api/live over HTTP only. `mayView` says whether a request may
 * see a page at all; every page registered here but /login is behind it, and a visitor who may not is sent to
 * /login.
 */
export function dashboardRoutes(mayView: (request: FastifyRequest) => Promise<boolean>) {
  const assets = new Map<string, Asset>();
  for (const file of [
    'wallboard.html',
    'call.html',
    'calls.html',
    'login.html',
    'login.js',
    'people.css',
    'reports.html',
    'followups.html',
    'followups.js',
    'users.html',
    'users.js',
    'wallboard.js',
    'live-state.js',
    'call.js',
    'calls.js',
    'reports.js',
    'report-tables.js',
    'common.js',
    'style.css',
  ])
    assets.set(file, load(new URL(file, STATIC)));
  assets.set('vendor/uPlot.iife.min.js', load(require.resolve('uplot/dist/uPlot.iife.min.js')));
  assets.set('vendor/uPlot.min.css', load(require.resolve('uplot/dist/uPlot.min.css')));

  const send = (reply: FastifyReply, asset: Asset): FastifyReply =>
    reply.headers(SECURITY_HEADERS).type(asset.type).send(asset.body);

  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (request, reply) => {
      if (OPEN_ROUTES.has(request.routeOptions.url ?? '') || (await mayView(request))) return;
      return reply.headers(SECURITY_HEADERS).redirect(loginLocation(request.url), 303);
    });
    app.get(
      '/followups',
      {
        schema: {
          summary: 'The follow-up list: callers to call back (?status=done: those cleared)',
          produces: ['text/html'],
        },
      },
      async (_request, reply) => send(reply, assets.get('followups.html')!),
    );
    app.get(
      '/users',
      {
        schema: {
          summary: 'People: admins add, change and remove who signs in (others see "admins only")',
          produces: ['text/html'],
        },
      },
      async (_request, reply) => send(reply, assets.get('users.html')!),
    );
    app.get(
      '/login',
      {
        schema: {
          summary: 'Sign in (name and password of a person added with "telehook users add")',
          produces: ['text/html'],
        },
      },
      async (_request, reply) => send(reply, assets.get('login.html')!),
    );
    app.get(
      '/',
      { schema: { summary: 'The live wallboard (add ?token=<viewer token>)', produces: ['text/html'] } },
      async (_request, reply) => send(reply, assets.get('wallboard.html')!),
    );
    app.get(
      '/calls',
      {
        schema: {
          summary: 'The call history: filters in the URL, keyset pages, CSV of the filtered set',
          produces: ['text/html'],
        },
      },
      async (_request, reply) => send(reply, assets.get('calls.html')!),
    );
    app.get(
      '/reports',
      {
        schema: {
          summary:
            'Reports for a period: outcomes and service level over time, agents, teams, repeat callers',
          produces: ['text/html'],
        },
      },
      async (_request, reply) => send(reply, assets.get('reports.html')!),
    );
    app.get(
      '/calls/:key',
      { schema: { summary: "A call's page: timeline, agents, files, raw events", produces: ['text/html'] } },
      async (_request, reply) => send(reply, assets.get('call.html')!),
    );
    app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
    app.get('/dashboard/*', { schema: { hide: true } }, async (request, reply) => {
      const asset = assets.get((request.params as { '*': string })['*']);
      if (!asset)
        return reply.code(404).send({ ok: false, error: { code: 'NOT_FOUND', message: 'No such file.' } });
      return send(reply, asset);
    });
  };
}
