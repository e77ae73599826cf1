import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createFakeTelecmi, FAKE_SECRET, sampleAudio } from '../../src/fake-telecmi/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { generateToken } from '../../src/tokens.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES_DIR), 'utf8')) as Record<string, unknown>;
const ANSWERED = fixture('chub-incoming-cdr-answered');
const MISSED = fixture('chub-incoming-cdr-missed');
const RECORDING = String(ANSWERED['filename']);
const VOICEMAIL = String(MISSED['voicename']);
const ANSWERED_KEY = String(ANSWERED['cmiuuid']);
const MISSED_KEY = String(MISSED['cmiuuid']);

interface Setup {
  readonly app: FastifyInstance;
  readonly auth: { authorization: string };
  readonly viewerToken: string;
  readonly logs: string[];
  readonly fake: ReturnType<typeof createFakeTelecmi>;
  readonly plays: () => number;
}

/** telehook over SQLite with the fake TeleCMI as its REST API, every log line (debug and up) kept. */
async function setup(env: Record<string, string> = {}, options: { inFake?: boolean } = {}): Promise<Setup> {
  const fake = createFakeTelecmi();
  const origin = await fake.listen(0);
  onTestFinished(() => fake.close());
  if (options.inFake ?? true) fake.history.add([ANSWERED, MISSED], 'chub');
  const dir = tempDir();
  const config = loadConfig({
    env: {
      TELEHOOK_TELECMI_APPID: '2222223',
      TELEHOOK_TELECMI_SECRET: FAKE_SECRET,
      TELEHOOK_TELECMI_API_URL: origin,
      ...env,
    },
    overrides: { dataDir: dir, logLevel: 'debug' },
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const store = createSqliteStore({ file: path.join(dir, 'telehook.db') });
  const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
  const app = await buildApp(config, { store, logger: pino({ level: 'debug' }, sink), tokens });
  await app.ready();
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });
  for (const payload of [ANSWERED, MISSED]) {
    const answer = await app.inject({
      method: 'POST',
      url: `/webhooks/telecmi/${tokens.ingestToken}`,
      payload,
    });
    expect(answer.statusCode).toBe(200);
  }
  await app.projection.settled();
  return {
    app,
    auth: { authorization: `Bearer ${tokens.apiToken}` },
    viewerToken: tokens.viewerToken,
    logs,
    fake,
    plays: () => fake.requests.filter((request) => request.path === '/v2/play').length,
  };
}

describe('recordings and voicemails', () => {
  it('streams the recording with its type, and answers Range requests with 206 and 416', async () => {
    const { app, auth } = await setup();
    const audio = sampleAudio(RECORDING);
    const whole = await app.inject({ url: `/api/calls/${ANSWERED_KEY}/recording`, headers: auth });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(audio)).toBe(true);

    const part = await app.inject({
      url: `/api/calls/${ANSWERED_KEY}/recording`,
      headers: { ...auth, range: 'bytes=100-199' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${audio.length}`);
    expect(part.rawPayload.equals(audio.subarray(100, 200))).toBe(true);

    const past = await app.inject({
      url: `/api/calls/${ANSWERED_KEY}/recording`,
      headers: { ...auth, range: `bytes=${audio.length + 10}-` },
    });
    expect(past.statusCode).toBe(416);
    expect(past.json()).toMatchObject({ error: { code: 'RANGE_NOT_SATISFIABLE' } });
    expect(past.headers['content-range']).toBe(`bytes */${audio.length}`);

    const voicemail = await app.inject({
      url: `/api/calls/${MISSED_KEY}/voicemail?token=${auth.authorization.slice(7)}`,
    });
    expect(voicemail.statusCode).toBe(200);
    expect(voicemail.rawPayload.equals(sampleAudio(VOICEMAIL))).toBe(true);
  });

  it('answers 404 with a code when the call has no such file, or TeleCMI has none', async () => {
    const { app, auth } = await setup();
    const noVoicemail = await app.inject({ url: `/api/calls/${ANSWERED_KEY}/voicemail`, headers: auth });
    expect(noVoicemail.statusCode).toBe(404);
    expect(noVoicemail.json()).toMatchObject({ error: { code: 'VOICEMAIL_NOT_FOUND' } });
    const noRecording = await app.inject({ url: `/api/calls/${MISSED_KEY}/recording`, headers: auth });
    expect(noRecording.json()).toMatchObject({ error: { code: 'RECORDING_NOT_FOUND' } });
    const noCall = await app.inject({ url: '/api/calls/no-such-call/recording', headers: auth });
    expect(noCall.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const empty = await setup({}, { inFake: false });
    const gone = await empty.app.inject({
      url: `/api/calls/${ANSWERED_KEY}/recording`,
      headers: empty.auth,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ error: { code: 'RECORDING_NOT_FOUND' } });
  });

  it('answers 502 when TeleCMI fails, and rides over a failure that passes', async () => {
    const { app, auth, fake } = await setup();
    fake.faults.add({ answer: 'body-code', code: 500, times: 1 });
    const once = await app.inject({ url: `/api/calls/${ANSWERED_KEY}/recording`, headers: auth });
    expect(once.statusCode).toBe(200);
    fake.faults.add({ answer: 'status', status: 500 });
    const failing = await app.inject({ url: `/api/calls/${ANSWERED_KEY}/recording`, headers: auth });
    expect(failing.statusCode).toBe(502);
    expect(failing.json()).toMatchObject({ error: { code: 'TELECMI_PLAY_FAILED' } });
  }, 30_000);

  it('answers 503 without credentials and 501 for a product without a play API', async () => {
    const none = await setup({ TELEHOOK_TELECMI_APPID: '', TELEHOOK_TELECMI_SECRET: '' });
    const off = await none.app.inject({ url: `/api/calls/${ANSWERED_KEY}/recording`, headers: none.auth });
    expect(off.statusCode).toBe(503);
    expect(off.json()).toMatchObject({ error: { code: 'TELECMI_NOT_CONFIGURED' } });
    const piopiy = await setup({ TELEHOOK_TELECMI_PRODUCT: 'piopiy' });
    const unsupported = await piopiy.app.inject({
      url: `/api/calls/${ANSWERED_KEY}/recording`,
      headers: piopiy.auth,
    });
    expect(unsupported.statusCode).toBe(501);
    expect(unsupported.json()).toMatchObject({ error: { code: 'TELECMI_PLAY_UNSUPPORTED' } });
  });

  it('lets the viewer token play only with TELEHOOK_VIEWER_RECORDINGS=1', async () => {
    const closed = await setup();
    const refused = await closed.app.inject({
      url: `/api/calls/${ANSWERED_KEY}/recording?token=${closed.viewerToken}`,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(refused.json<{ error: { message: string } }>().error.message).toContain(
      'TELEHOOK_VIEWER_RECORDINGS',
    );
    expect(closed.plays()).toBe(0);

    const open = await setup({ TELEHOOK_VIEWER_RECORDINGS: '1' });
    const played = await open.app.inject({
      url: `/api/calls/${ANSWERED_KEY}/recording?token=${open.viewerToken}`,
    });
    expect(played.statusCode).toBe(200);
  });

  it('serves repeated plays and ranges from the disk cache, asking TeleCMI once per file', async () => {
    const cache = tempDir();
    const { app, auth, plays } = await setup({
      TELEHOOK_RECORDINGS_CACHE: cache,
      TELEHOOK_RECORDINGS_CACHE_SIZE: '1MiB',
    });
    const audio = sampleAudio(RECORDING);
    for (const range of [undefined, 'bytes=0-1', 'bytes=-100', `bytes=${audio.length}-`]) {
      const answer = await app.inject({
        url: `/api/calls/${ANSWERED_KEY}/recording`,
        headers: range === undefined ? auth : { ...auth, range },
      });
      if (range === `bytes=${audio.length}-`) {
        expect(answer.statusCode).toBe(416);
        continue;
      }
      const expected =
        range === undefined ? audio : range === 'bytes=0-1' ? audio.subarray(0, 2) : audio.subarray(-100);
      expect(answer.statusCode).toBe(range === undefined ? 200 : 206);
      expect(answer.rawPayload.equals(expected)).toBe(true);
    }
    expect(plays()).toBe(1);
    await app.inject({ url: `/api/calls/${MISSED_KEY}/voicemail`, headers: auth });
    expect(plays()).toBe(2);
    expect(readdirSync(cache).filter((name) => !name.endsWith('.json'))).toHaveLength(2);
  });

  it('never puts the secret in a log line or an answer, even when TeleCMI refuses it', async () => {
    const secret = 'wrong-secret-7f3a9c';
    const { app, auth, logs } = await setup({ TELEHOOK_TELECMI_SECRET: secret });
    const refused = await app.inject({ url: `/api/calls/${ANSWERED_KEY}/recording`, headers: auth });
    expect(refused.statusCode).toBe(502);
    expect(refused.body).not.toContain(secret);
    const good = await setup();
    await good.app.inject({ url: `/api/calls/${ANSWERED_KEY}/recording`, headers: good.auth });
    const all = [...logs, ...good.logs].join('');
    expect(all).toContain('/v2/play');
    expect(all).not.toContain(secret);
    expect(good.logs.join('')).not.toContain(FAKE_SECRET);
  });
});
