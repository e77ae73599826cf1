import { describe, expect, it } from 'vitest';

import { SCENARIO_NAMES } from '../scenarios/index.js';
import { createProgram } from './program.js';

describe('the telehook command line', () => {
  const program = createProgram();
  const help = (name: string): string =>
    program.commands.find((command) => command.name() === name)!.helpInformation();

  it('has the serve, rebuild, export, trigger, simulate and send commands', () => {
    expect(program.commands.map((command) => command.name())).toEqual([
      'serve',
      'rebuild',
      'export',
      'trigger',
      'simulate',
      'send',
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
  ])('documents every option of %s in its --help', (name, options) => {
    for (const option of options) expect(help(name)).toContain(option);
    expect(help(name)).toContain('TELEHOOK_DATA_DIR');
  });

  it('lists every scenario in the help of trigger', () => {
    const command = program.commands.find((candidate) => candidate.name() === 'trigger')!;
    let text = '';
    command.configureOutput({ writeOut: (chunk) => (text += chunk) });
    command.outputHelp();
    for (const name of SCENARIO_NAMES) expect(text).toContain(name);
  });
});
