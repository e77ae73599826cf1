import { callFlows } from '../helpers/call-flows.js';
import { isErrorShape } from '../helpers/raw-http.js';
import { type FuzzRequest, READ_PATHS, type Tokens } from './requests.js';

/** An answer as read from the wire. */
export interface WireAnswer {
  /** 0: the connection closed (or timed out) before a status line. */
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** For a 200 event stream: whether its first message, the snapshot, arrived. */
  readonly snapshot?: boolean;
}

/**
 * What every answer must be (README "What the receiver answers"): there is an answer; never a 5xx; every error
 * is `{"ok":false,"error":{"code","message"}}` as JSON. What the documents allow otherwise, said here on purpose:
 * an answer to HEAD has no body (HTTP), so only its status and JSON Content-Type are checked; a 204 has no body;
 * a redirect (the API reference's) has a Location; a successful JSON answer is JSON; a 200 live stream starts with
 * its snapshot.
 */
export function answerViolations(request: FuzzRequest, answer: WireAnswer): string[] {
  if (answer.status === 0) return ['no answer: the connection closed without a status line'];
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`a ${answer.status}`);
  const type = answer.headers['content-type'] ?? '';
  const isHead = request.method === 'HEAD';
  if (answer.status >= 400) {
    if (!type.startsWith('application/json')) problems.push(`an error answered as ${JSON.stringify(type)}`);
    if (!isHead) {
      const json = parseJson(answer.body);
      if (!isErrorShape(json)) problems.push(`an error not in the documented shape: ${preview(answer.body)}`);
    } else if (answer.body.length > 0) problems.push('a body in the answer to HEAD');
  } else if (answer.status >= 300) {
    if (answer.headers['location'] === undefined) problems.push(`a ${answer.status} without Location`);
  } else if (answer.status === 204) {
    if (answer.body.length > 0) problems.push('a body with 204');
  } else if (!isHead) {
    if (type.startsWith('application/json') && parseJson(answer.body) === undefined)
      problems.push(`JSON that does not parse: ${preview(answer.body)}`);
    if (type.startsWith('text/event-stream') && answer.snapshot !== true)
      problems.push('a live stream without its snapshot');
  }
  return problems;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const preview = (body: Buffer): string => JSON.stringify(body.subarray(0, 200).toString('utf8'));

/** The read routes the wallboard, the call page and integrations use. */
export const READ_ROUTES = [
  ...READ_PATHS.map((route) => (/^\/api\/(events|calls)$/.test(route) ? `${route}?limit=100` : route)),
  '/',
];

/**
 * After a run, the product is up (issue 15, "Done when"): every read route answers 200 (the events page by page,
 * every call of the first page with its timeline), the live stream gives its snapshot, and a normal call posted
 * next is folded, readable and sent to the wallboard. Returns what is wrong; empty when all is well.
 */
export async function afterRunViolations(
  port: number,
  tokens: Tokens,
  timeoutMs = 20_000,
): Promise<string[]> {
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${tokens.apiToken}` };
  const problems: string[] = [];
  const get = async (path: string): Promise<Response> => fetch(`${base}${path}`, { headers: auth });
  for (const path of READ_ROUTES) {
    const response = await get(path);
    const text = await response.text();
    if (response.status !== 200) problems.push(`GET ${path}: ${response.status} ${text.slice(0, 200)}`);
  }
  for (let after: string | null = null, pages = 0; pages < 1000; pages += 1) {
    const response = await get(`/api/events?limit=100${after === null ? '' : `&after=${after}`}`);
    if (response.status !== 200) {
      problems.push(
        `GET /api/events after ${after}: ${response.status} ${(await response.text()).slice(0, 200)}`,
      );
      break;
    }
    after = ((await response.json()) as { next: string | null }).next;
    if (after === null) break;
  }
  const calls = await get('/api/calls?limit=100');
  if (calls.status === 200) {
    for (const { key } of ((await calls.json()) as { items: { key: string }[] }).items) {
      for (const path of [`/api/calls/${encodeURIComponent(key)}`, `/calls/${encodeURIComponent(key)}`]) {
        const response = await get(path);
        if (response.status !== 200)
          problems.push(`GET ${path}: ${response.status} ${(await response.text()).slice(0, 200)}`);
        else await response.arrayBuffer();
      }
    }
  }

  // The wallboard: its stream opens with a snapshot, then shows the call posted next.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const live = await fetch(`${base}/api/live`, { headers: auth, signal: controller.signal });
    if (live.status !== 200 || !live.body) {
      problems.push(`GET /api/live: ${live.status}`);
      return problems;
    }
    const reader = live.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (found: () => boolean): Promise<boolean> => {
      while (!found()) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return false;
        text += decoder.decode(value, { stream: true });
      }
      return true;
    };
    if (!(await readUntil(() => /event: snapshot\n[^]*?\n\n/.test(text)))) {
      problems.push('GET /api/live: no snapshot');
      return problems;
    }
    const flow = callFlows(Math.floor(Date.now() / 1000) * 1000)[0]!;
    const key = String(flow.expected['key']);
    for (const payload of flow.payloads) {
      const response = await fetch(`${base}/webhooks/telecmi/${tokens.ingestToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      if (response.status !== 200)
        problems.push(`a normal payload: ${response.status} ${await response.text()}`);
      else await response.arrayBuffer();
    }
    if (!(await readUntil(() => text.includes(`"key":"${key}"`))))
      problems.push(`the wallboard was not sent the call posted after the run (${key})`);
    const call = await get(`/api/calls/${key}`);
    const folded = call.status === 200 ? ((await call.json()) as Record<string, unknown>) : null;
    if (folded === null) problems.push(`GET /api/calls/${key} after the run: ${call.status}`);
    else
      for (const field of ['key', 'direction', 'state', 'outcome']) {
        const value = flow.expected[field];
        if (value !== undefined && JSON.stringify(folded[field]) !== JSON.stringify(value))
          problems.push(
            `the call posted after the run: ${field} is ${JSON.stringify(folded[field])}, not ${JSON.stringify(value)}`,
          );
      }
  } catch (error) {
    problems.push(`after the run: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return problems;
}
