import type { Readable } from 'node:stream';

/** A file's answer, as the REST client's play API gives it (backfill/play.ts). */
export interface AudioAnswer {
  readonly status: 200 | 206 | 416;
  readonly contentType: string | null;
  readonly contentLength: number | null;
  readonly contentRange: string | null;
  readonly body: Readable;
}

/**
 * Where the files come from, wired by app.ts: TeleCMI's play API, or why there is none. Errors of `play` carry a
 * `code`: `TELECMI_NOT_FOUND` means TeleCMI has no such file; any other is a failure of TeleCMI.
 */
export type AudioSource =
  | { readonly state: 'unconfigured' }
  | { readonly state: 'unsupported'; readonly product: string }
  | {
      readonly state: 'ready';
      /** Tells the files of one app apart from another's in the cache: product and app id, never the secret. */
      readonly id: string;
      play(file: string, options: { range?: string; signal?: AbortSignal }): Promise<AudioAnswer>;
    };
