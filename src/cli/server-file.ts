/** Written to the data directory while `telehook serve` runs, so that other commands find the server. */
export const SERVER_FILE = 'server.json';

/** The content of {@link SERVER_FILE}. */
export interface ServerInfo {
  /** http://host:port */
  readonly url: string;
  /** The full ingest URL, token included. */
  readonly ingestUrl: string;
  readonly pid: number;
  readonly startedAt: number;
}
