import { Agent, request } from 'undici';

/** What the server answered, or why there was no answer (status 0). */
export interface Answer {
  /** The HTTP status; 0 when no answer came (connection refused, reset…). */
  readonly status: number;
  /** The answer's body, or the network error's message. */
  readonly body: string;
}

/** Posts bodies to one URL. */
export interface Sender {
  post(body: string | Uint8Array): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * Posts to `url` as TeleCMI does: `POST`, the body as given (never re-serialised), `content-type:
 * application/json`, over up to `connections` kept-alive connections. Never rejects: a failed request is an
 * {@link Answer} with status 0.
 */
export function createSender(url: URL, connections = 1): Sender {
  const dispatcher = new Agent({ connections });
  return {
    async post(body) {
      try {
        const response = await request(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
          dispatcher,
        });
        return { status: response.statusCode, body: await response.body.text() };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        const code = (error as { code?: string }).code ?? cause?.code;
        return { status: 0, body: `${code ?? 'ERROR'}: ${(error as Error).message}` };
      }
    },
    close: () => dispatcher.close(),
  };
}

/** Whether the server took it: any 2xx. */
export const isAccepted = (answer: Answer): boolean => answer.status >= 200 && answer.status < 300;
