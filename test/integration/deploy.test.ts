import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig, parseDuration, SETTINGS } from '../../src/config.js';
import { ROOT } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const DEPLOY = path.join(ROOT, 'deploy');
const read = (name: string): string => readFileSync(path.join(DEPLOY, name), 'utf8');
/** Whether a tool is installed; in CI (TELEHOOK_TEST_STRICT=1) a missing one fails its check instead of skipping it. */
const has = (command: string): boolean =>
  process.env['TELEHOOK_TEST_STRICT'] === '1' ||
  spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** A unit file's `Key=value` lines of one section (repeated keys kept in order). */
function unitSection(text: string, section: string): [string, string][] {
  const lines = text.split('\n');
  const start = lines.indexOf(`[${section}]`);
  const entries: [string, string][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('[')) break;
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) entries.push([match[1]!, match[2]!]);
  }
  return entries;
}

describe('deploy/', () => {
  const unit = read('telehook.service');
  const service = new Map(unitSection(unit, 'Service'));

  it('has a systemd unit that runs telehook serve hardened, with a state directory and the configuration file', () => {
    expect(service.get('ExecStart')).toMatch(/ telehook serve$/);
    expect(
      Object.fromEntries(
        ['NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'StateDirectory'].map((key) => [
          key,
          service.get(key),
        ]),
      ),
    ).toEqual({
      NoNewPrivileges: 'true',
      ProtectSystem: 'strict',
      ProtectHome: 'true',
      PrivateTmp: 'true',
      StateDirectory: 'telehook',
    });
    const environment = unitSection(unit, 'Service')
      .filter(([key]) => key === 'Environment')
      .map(([, value]) => value);
    expect(environment).toContain(`TELEHOOK_DATA_DIR=/var/lib/${service.get('StateDirectory')}`);
    expect(environment).toContain('TELEHOOK_CONFIG=/etc/telehook/telehook.toml');
    // A bad setting exits 2: restarting would only fail again.
    expect(service.get('RestartPreventExitStatus')).toBe('2');
  });

  it.runIf(has('systemd-analyze'))(
    'passes systemd-analyze verify, and its security exposure stays low',
    () => {
      const verify = spawnSync('systemd-analyze', ['verify', path.join(DEPLOY, 'telehook.service')], {
        encoding: 'utf8',
      });
      expect([verify.status, verify.stderr.trim()]).toEqual([0, '']);
      const security = spawnSync(
        'systemd-analyze',
        ['security', '--offline=true', '--no-pager', path.join(DEPLOY, 'telehook.service')],
        { encoding: 'utf8' },
      );
      const exposure = Number(
        /Overall exposure level for telehook\.service: ([\d.]+)/.exec(security.stdout)?.[1],
      );
      expect(exposure).toBeLessThan(2.5);
    },
  );

  it('has an example configuration file that telehook accepts, listening where the proxy sends', () => {
    const config = loadConfig({ env: {}, configFile: path.join(DEPLOY, 'telehook.toml') });
    expect(config.host).toBe('127.0.0.1');
    const nginx = read('nginx.conf');
    expect(nginx).toContain(`server 127.0.0.1:${config.port};`);
  });

  it('has an nginx example with TLS, X-Forwarded-For, an unbuffered live stream and idle connections closed before telehook closes them', () => {
    const nginx = read('nginx.conf');
    const proxy = read('nginx-proxy.conf');
    for (const text of [nginx, proxy]) {
      const code = text.replace(/#.*$/gm, '');
      expect(code.split('{').length).toBe(code.split('}').length);
      for (const line of code
        .split('\n')
        .map((each) => each.trim())
        .filter(Boolean))
        expect([line, /[;{}]$/.test(line)]).toEqual([line, true]);
    }
    expect(nginx).toMatch(/listen 443 ssl( http2)?;/);
    expect(nginx).toMatch(/ssl_certificate \S+;/);
    expect(proxy).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    expect(nginx).toMatch(/location \/api\/live \{[^}]*proxy_buffering off;[^}]*\}/);
    const idle = parseDuration(/keepalive_timeout (\d+s);/.exec(nginx)![1]!);
    expect(idle).toBeLessThan(parseDuration(SETTINGS.keepAliveTimeoutMs.fallback()!));
    expect(nginx).toContain('include /etc/nginx/telehook-proxy.conf;');
  });

  it.runIf(has('nginx') && has('openssl'))('passes nginx -t', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'conf'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=telehook.example.com',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    const site = read('nginx.conf')
      .replace(/\/etc\/letsencrypt\/live\/[^;]*fullchain\.pem/, path.join(dir, 'cert.pem'))
      .replace(/\/etc\/letsencrypt\/live\/[^;]*privkey\.pem/, path.join(dir, 'key.pem'))
      .replaceAll('/etc/nginx/telehook-proxy.conf', path.join(DEPLOY, 'nginx-proxy.conf'));
    writeFileSync(path.join(dir, 'site.conf'), site);
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  include ${dir}/site.conf;\n}\n`,
    );
    const test = spawnSync('nginx', ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], {
      encoding: 'utf8',
    });
    expect([test.status, test.stderr]).toEqual([0, expect.stringContaining('test is successful')]);
  });
});
