import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { AppError } from '../errors.js';
import { PASSWORD_MAX_LENGTH } from './password.js';
import type { People } from './people.js';
import { sessionCookie } from './session-cookie.js';

const Person = Type.Object({
  name: Type.String(),
  role: Type.Union([Type.Literal('viewer'), Type.Literal('supervisor'), Type.Literal('admin')]),
  expiresAt: Type.Number({ description: 'when the session ends, epoch ms' }),
});

/**
 * `/api/session`: sign in (POST), who is signed in (GET), sign out (DELETE). Open to everyone: these routes are
 * how a browser gets its credentials, and they answer nothing about anyone else.
 */
export function sessionRoutes(people: People): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/session',
      {
        schema: {
          summary: 'Sign in: sets the session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS)',
          security: [],
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 64 }),
              password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ ok: Type.Literal(true), user: Person }) },
        },
      },
      async (request, reply) => {
        try {
          const { token, user } = await people.signIn(request.body.name, request.body.password, request.ip);
          void reply.header('set-cookie', sessionCookie(request, token)).header('cache-control', 'no-store');
          return { ok: true as const, user };
        } catch (error) {
          const { retryAfterSec } = error as { retryAfterSec?: number };
          if (retryAfterSec !== undefined) void reply.header('retry-after', String(retryAfterSec));
          throw error;
        }
      },
    );
    app.get(
      '/api/session',
      {
        schema: {
          summary: 'Who this browser is signed in as (401 SESSION_ENDED when nobody)',
          security: [],
          response: { 200: Type.Object({ ok: Type.Literal(true), user: Person }) },
        },
      },
      async (request, reply) => {
        const found = await people.lookup(request);
        void reply.header('cache-control', 'no-store');
        if (typeof found === 'string')
          throw new AppError('SESSION_ENDED', 'Not signed in: sign in at /login.');
        return { ok: true as const, user: found };
      },
    );
    app.delete(
      '/api/session',
      { schema: { summary: 'Sign out: ends the session everywhere and clears the cookie', security: [] } },
      async (request, reply) => {
        await people.signOut(request);
        return reply.header('set-cookie', sessionCookie(request, null)).code(204).send();
      },
    );
  };
}
