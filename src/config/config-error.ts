/** Thrown when a setting has a bad value: misuse, reported before anything starts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
