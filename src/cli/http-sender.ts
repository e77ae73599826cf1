import { Agent } from 'undici';

/** What the server answered, or why there was no answer (status 0). */
export interface Answer {
  /** The HTTP status; 0 when no answer came (connection refused, reset…). */
  readonly status: number;
  /** The answer's body, or the network error's message. */
  readonly body: string;
}

/** A request as TeleCMI made it (and telehook stored it): how `telehook replay` makes it again. */
export interface AsReceived {
  readonly method: 'POST' | 'GET';
  /** POST: the body. GET: the query string, without `?`. */
  readonly bytes: string | Uint8Array;
  /** The Content-Type header; null sends none. */
  readonly contentType: string | null;
}

/** Posts bodies to one URL. */
export interface Sender {
  /** `POST` with `content-type: application/json`, as TeleCMI posts. */
  post(body: string | Uint8Array): Promise<Answer>;
  /**
   * The request as it was received: a POST body with its content type, or a GET whose query string is the
   * stored one, followed by the URL's own parameters (the `token=` of `/webhook/cdr?token=`).
   */
  send(request: AsReceived): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * Sends to `url` over up to `connections` kept-alive connections. Bodies and query strings go out as given,
 * never re-serialised or re-encoded (the path is written as it is, not through a URL parser), so that a receiver
 * stores the same bytes. Never rejects: a failed request is an {@link Answer} with status 0.
 */
export function createSender(url: URL, connections = 1): Sender {
  const dispatcher = new Agent({ connections });
  const send = async ({ method, bytes, contentType }: AsReceived): Promise<Answer> => {
    const own = url.search.slice(1);
    const query = method === 'GET' ? Buffer.from(bytes).toString('utf8') : '';
    const search = [query, own].filter((part) => part !== '').join('&');
    try {
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${search === '' ? '' : `?${search}`}`,
        method,
        headers: contentType === null ? {} : { 'content-type': contentType },
        body: method === 'GET' ? null : bytes,
      });
      return { status: response.statusCode, body: await response.body.text() };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const code = (error as { code?: string }).code ?? cause?.code;
      return { status: 0, body: `${code ?? 'ERROR'}: ${(error as Error).message}` };
    }
  };
  return {
    post: (body) => send({ method: 'POST', bytes: body, contentType: 'application/json' }),
    send,
    close: () => dispatcher.close(),
  };
}

/** Whether the server took it: any 2xx. */
export const isAccepted = (answer: Answer): boolean => answer.status >= 200 && answer.status < 300;
