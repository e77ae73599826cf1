/**
 * A command was given a bad flag or argument, or nothing to talk to: misuse, reported with a message that names
 * the flag, and exit code 2 (as a bad setting is, see ConfigError).
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
