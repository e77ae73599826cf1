import { type Role, ROLES } from '../store/index.js';

/** A user's name: what they type to sign in, and what the follow-up list shows they did. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Why a user name is refused, or null when it is fine. */
export function userNameProblem(name: string): string | null {
  return USER_NAME.test(name)
    ? null
    : 'a user name is 1 to 64 letters, digits, ".", "_", "@" or "-", and starts with a letter or a digit';
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
