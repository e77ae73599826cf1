import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { AppError } from '../errors.js';
import { type Role, ROLES, type Store, type User } from '../store/index.js';
import { userNameProblem } from './names.js';
import { hashPassword, PASSWORD_MAX_LENGTH, passwordProblem } from './password.js';

const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));
const UserSchema = Type.Object({
  name: Type.String(),
  role: RoleSchema,
  createdAt: Type.Number({ description: 'epoch ms' }),
  updatedAt: Type.Number({ description: 'epoch ms: the last change of role or password' }),
});
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem !== null) throw new AppError('USER_INVALID', `password: ${problem}.`);
}

async function existing(store: Store, name: string): Promise<User> {
  const user = await store.getUser(name);
  if (!user) throw new AppError('USER_NOT_FOUND', `No user "${name}".`);
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

/**
 * Refuses a change that would leave nobody who can manage people from the browser. The API token and
 * `telehook users` still can, so this guards against a slip, not an attack; two admins demoted at the same
 * instant by two requests may both pass.
 */
async function keepAnAdmin(store: Store, name: string, newRole: Role | null): Promise<void> {
  if (newRole === 'admin') return;
  const admins = (await store.listUsers()).filter((user) => user.role === 'admin');
  if (admins.length === 1 && admins[0]!.name === name)
    throw new AppError(
      'USER_LAST_ADMIN',
      `${name} is the only admin: make someone else admin first (or use "telehook users" on the server).`,
    );
}

/**
 * `/api/users`: the people who sign in, managed from the browser by admins (the routes need the admin role, as
 * every write of /api does by default) or with the API token. `telehook users` does the same on the server.
 */
export function usersRoutes(options: { store: Store; now: () => number }): FastifyPluginAsyncTypebox {
  const { store, now } = options;
  return async (app) => {
    app.get(
      '/api/users',
      {
        schema: {
          summary: 'Every user, by name (never their password hashes); admins only',
          response: { 200: Type.Object({ items: Type.Array(UserSchema) }) },
        },
      },
      async () => ({ items: await store.listUsers() }),
    );

    app.post(
      '/api/users',
      {
        schema: {
          summary: 'Add a user (USER_EXISTS when the name is taken)',
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 64 }), role: RoleSchema, password: Password },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ user: UserSchema }) },
        },
      },
      async (request, reply) => {
        const { name, role, password } = request.body;
        const nameProblem = userNameProblem(name);
        if (nameProblem !== null) throw new AppError('USER_INVALID', `name: ${nameProblem}.`);
        checkPassword(password);
        const at = now();
        const added = await store.addUser({
          name,
          role,
          passwordHash: await hashPassword(password),
          createdAt: at,
          updatedAt: at,
        });
        if (!added) throw new AppError('USER_EXISTS', `A user "${name}" exists already.`);
        return reply.code(201).send({ user: { name, role, createdAt: at, updatedAt: at } });
      },
    );

    app.patch(
      '/api/users/:name',
      {
        schema: {
          summary: "Change a user's role or password (a new password ends their sessions)",
          params: NameParams,
          body: Type.Object(
            { role: Type.Optional(RoleSchema), password: Type.Optional(Password) },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: Type.Object({ user: UserSchema }) },
        },
      },
      async (request) => {
        const { name } = request.params;
        const { role, password } = request.body;
        await existing(store, name);
        if (password !== undefined) checkPassword(password);
        const at = now();
        if (role !== undefined) {
          await keepAnAdmin(store, name, role);
          if (!(await store.setUserRole(name, role, at)))
            throw new AppError('USER_NOT_FOUND', `No user "${name}".`);
        }
        if (password !== undefined && !(await store.setUserPassword(name, await hashPassword(password), at)))
          throw new AppError('USER_NOT_FOUND', `No user "${name}".`);
        return { user: await existing(store, name) };
      },
    );

    app.delete(
      '/api/users/:name',
      {
        schema: {
          summary: 'Remove a user: their sessions end at once',
          params: NameParams,
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        await existing(store, name);
        await keepAnAdmin(store, name, null);
        if (!(await store.removeUser(name))) throw new AppError('USER_NOT_FOUND', `No user "${name}".`);
        return reply.code(204).send();
      },
    );
  };
}
