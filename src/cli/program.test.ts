import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';

import { SCENARIO_NAMES } from '../scenarios/index.js';
import { createProgram } from './program.js';

describe('the telehook command line', () => {
  const program = createProgram();
  const help = (name: string): string =>
    program.commands.find((command) => command.name() === name)!.helpInformation();

  it('has the serve, config, doctor, tokens, rebuild, migrate, copy, export, trigger, simulate, fake-telecmi, backfill, send, tail, replay, endpoints, deliveries, users, backup, restore and forget commands', () => {
    expect(program.commands.map((command) => command.name())).toEqual([
      'serve',
      'config',
      'doctor',
      'tokens',
      'rebuild',
      'migrate',
      'copy',
      'export',
      'trigger',
      'simulate',
      'fake-telecmi',
      'backfill',
      'send',
      'tail',
      'replay',
      'endpoints',
      'deliveries',
      'users',
      'backup',
      'restore',
      'forget',
    ]);
  });

  it.each([
    [
      'trigger',
      [
        '--url',
        '--data',
        '--product',
        '--speed',
        '--duplicate',
        '--shuffle',
        '--from',
        '--team',
        '--agent',
        '--seed',
      ],
    ],
    [
      'simulate',
      [
        '--agents',
        '--teams',
        '--calls',
        '--arrival',
        '--talk',
        '--patience',
        '--speed',
        '--seed',
        '--url',
        '--product',
        '--json',
        '--concurrency',
      ],
    ],
    ['send', ['--url', '--data', 'files...']],
    ['tail', ['--server', '--token', '--data', '--filter', '--json']],
    ['replay', ['--from', '--to', '--to-url', '--rate', '--concurrency', '--server', '--token', '--data']],
  ])('documents every option of %s in its --help', (name, options) => {
    for (const option of options) expect(help(name)).toContain(option);
    expect(help(name)).toContain('TELEHOOK_DATA_DIR');
  });

  it('throws, naming the flag, when a command is given an unknown one (main exits 2), and ends --help well', async () => {
    for (const name of program.commands.map((command) => command.name())) {
      const fresh = createProgram();
      let written = '';
      for (const command of [fresh, ...fresh.commands])
        command.configureOutput({
          writeErr: (text) => (written += text),
          writeOut: (text) => (written += text),
        });
      const error = await fresh
        .parseAsync(['node', 'telehook', name, '--no-such-flag'])
        .catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(CommanderError);
      expect(written).toContain("unknown option '--no-such-flag'");
      const help = await fresh.parseAsync(['node', 'telehook', name, '--help']).catch((e: unknown) => e);
      expect((help as CommanderError).exitCode, name).toBe(0);
      expect(written).toContain(`Usage: telehook ${name}`);
    }
  });

  it('lists every scenario in the help of trigger', () => {
    const command = program.commands.find((candidate) => candidate.name() === 'trigger')!;
    let text = '';
    command.configureOutput({ writeOut: (chunk) => (text += chunk) });
    command.outputHelp();
    for (const name of SCENARIO_NAMES) expect(text).toContain(name);
  });
});
