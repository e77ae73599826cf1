/** What a person may do in the web app: each role may do everything the one before it may. */
export type Role = 'viewer' | 'supervisor' | 'admin';

/** The roles, least to most. */
export const ROLES: readonly Role[] = ['viewer', 'supervisor', 'admin'];

/** Whether someone of role `held` may do what needs role `needed`. */
export function hasRole(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** A person who signs in to the web app (never with the password's hash: see {@link UserWithPassword}). */
export interface User {
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A user with the scrypt hash of their password (src/people/password.ts), as the store keeps it. */
export interface UserWithPassword extends User {
  readonly passwordHash: string;
}

/** A signed-in browser: the SHA-256 of its cookie's token, never the token itself. */
export interface NewSession {
  readonly tokenHash: string;
  readonly name: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Who a live session belongs to. */
export interface SessionUser {
  readonly name: string;
  readonly role: Role;
  readonly expiresAt: number;
}

/** The people of the web app and their sessions, as every store keeps them (part of the Store). */
export interface PeopleStore {
  /**
   * Adds a user. @returns false when a user of that name exists already (nothing changed).
   * @example
   * await store.addUser({ name: 'asha', role: 'supervisor', passwordHash, createdAt: now, updatedAt: now });
   */
  addUser(user: UserWithPassword): Promise<boolean>;
  /** One user with their password's hash, or null. */
  getUser(name: string): Promise<UserWithPassword | null>;
  /** Every user, by name. */
  listUsers(): Promise<User[]>;
  /** Sets a user's password and ends all their sessions. @returns false when there is no such user. */
  setUserPassword(name: string, passwordHash: string, at: number): Promise<boolean>;
  /**
   * Gives a user another role; their sessions carry on with the new one at once (a session reads its role from
   * the user). @returns false when there is no such user.
   */
  setUserRole(name: string, role: Role, at: number): Promise<boolean>;
  /** Removes a user and ends all their sessions. @returns false when there is no such user. */
  removeUser(name: string): Promise<boolean>;
  /** Keeps a new session (and forgets that user's expired ones). */
  startSession(session: NewSession): Promise<void>;
  /** The user of a session that has not expired at `at` (and whose user still exists), or null. */
  findSession(tokenHash: string, at: number): Promise<SessionUser | null>;
  /** Ends a session (signing out): its token no longer signs anyone in. */
  endSession(tokenHash: string): Promise<void>;
}
