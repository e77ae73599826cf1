import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from '../helpers/server-process.js';

// The full proof (pack, install into an empty project, `npx telehook` serves and ingests) takes minutes of
// installing: `npm run test:pack` (scripts/pack-smoke.mjs). This checks what the package holds.
describe('the npm package', () => {
  it('holds the CLI, its migrations, the changelog and the compiled code, and no tests', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as [{ name: string; version: string; files: { path: string }[] }];
    const files = new Set(packed.files.map((file) => file.path));
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
      bin: Record<string, string>;
    };
    expect([packed.name, packed.version]).toEqual(['telehook', pkg.version]);
    for (const needed of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      pkg.bin['telehook'] ?? 'bin/telehook.js',
      'src/store/sqlite/migrations/0100_baseline.sql',
      'src/store/postgres/migrations/0100_baseline.sql',
    ])
      expect([needed, files.has(needed)]).toEqual([needed, true]);
    // dist/ exists once built (npm ci runs prepare): then the entry point the bin imports is in the package.
    if (existsSync(path.join(ROOT, 'dist/cli/main.js'))) expect(files.has('dist/cli/main.js')).toBe(true);
    expect([...files].filter((file) => /\.test\.|^test\/|^bench\/|^data\//.test(file))).toEqual([]);
  });

  it('runs its CLI with the node flags of npm start, when installed as well', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
      scripts: { start: string };
    };
    const startFlags = pkg.scripts.start.match(/--[\w-]+=\S+/g);
    const [shebang = ''] = readFileSync(path.join(ROOT, 'bin/telehook.js'), 'utf8').split('\n');
    expect(shebang.match(/--[\w-]+=\S+/g)).toEqual(startFlags);
    // The kernel runs the shebang (env -S splits the flags); node refuses a flag it does not know.
    if (existsSync(path.join(ROOT, 'dist/cli/main.js')))
      expect(
        execFileSync(path.join(ROOT, 'bin/telehook.js'), ['--version'], { encoding: 'utf8' }).trim(),
      ).toBe(pkg.version);
  });

  it('has a changelog whose newest release is the package version, under an Unreleased section', () => {
    const changelog = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const headings = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map((match) => match[1]);
    expect(headings.slice(0, 2)).toEqual(['Unreleased', version]);
    expect(changelog).toMatch(
      new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'),
    );
  });
});
