import { TelecmiApiError, telecmiApiFromConfig } from '../../backfill/index.js';
import { PRODUCT_APIS, type RestList } from '../../backfill/index.js';
import type { Config } from '../../config.js';
import { type CheckResult, fail, ok, skip, warn } from './report.js';

const TIMEOUT_MS = 10_000;

/**
 * The public URL TeleCMI posts to: it answers `/healthz`, and its ingest path is telehook's (a wrong token is
 * refused with telehook's own code), so a proxy in front forwards the webhooks. Asked from this machine: a firewall
 * that lets this machine in but not TeleCMI is not seen.
 */
export async function checkPublicUrl(publicUrl: string | undefined): Promise<CheckResult> {
  const name = 'public URL';
  if (publicUrl === undefined) return skip(name, 'not checked (give --public-url https://…)');
  let base: URL;
  try {
    base = new URL(publicUrl);
  } catch {
    return fail(name, `${publicUrl} is not a URL`);
  }
  const origin = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  try {
    const health = await fetch(`${origin}/healthz`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'manual',
    });
    if (health.status !== 200) return fail(name, `${origin}/healthz answered ${health.status}, not 200`);
    const probe = await fetch(`${origin}/webhooks/telecmi/telehook-doctor-probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'manual',
    });
    const body = (await probe.json().catch(() => null)) as { error?: { code?: string } } | null;
    if (probe.status !== 401 || body?.error?.code !== 'INGEST_TOKEN_INVALID')
      return fail(name, `${origin}/webhooks/telecmi/… answered ${probe.status}: not telehook's ingest route`);
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return fail(name, `${origin} does not answer: ${cause ?? (error as Error).message}`);
  }
  if (base.protocol !== 'https:')
    return warn(name, `${origin} answers, but over http: TeleCMI's requests and the token travel in clear`);
  return ok(name, `${origin} answers /healthz and its ingest route is telehook's`);
}

/** The backfill credentials: one authenticated request to TeleCMI's REST API (the first page of the last hour). */
export async function checkBackfill(config: Config, now: number): Promise<CheckResult> {
  const name = 'backfill';
  const api = telecmiApiFromConfig(config);
  if (api === null) return skip(name, 'off (no TELEHOOK_TELECMI_APPID and TELEHOOK_TELECMI_SECRET)');
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const where = `${config.telecmiProduct} app ${config.telecmiAppId} at ${api.origin}`;
  try {
    const list = Object.keys(PRODUCT_APIS[config.telecmiProduct].lists)[0] as RestList | undefined;
    if (list === undefined) {
      // PIOPIY has no history list: a CDR look-up is the one authenticated request it offers.
      await api.cdrByCmiuuid('telehook-doctor-probe', { signal });
      return ok(name, `${where}: the credentials were accepted`);
    }
    const first = await api.pages(list, { from: now - 3_600_000, to: now }, { signal }).next();
    const rows = first.done === true ? 0 : first.value.rows.length;
    return ok(
      name,
      `${where}: the credentials were accepted (${list}: ${rows} row(s) on the last hour's first page)`,
    );
  } catch (error) {
    if (error instanceof TelecmiApiError) return fail(name, `${where}: ${error.code}: ${error.message}`);
    return fail(name, `${where}: ${(error as Error).message}`);
  } finally {
    await api.close();
  }
}
