import { Command } from 'commander';

import { exportCommand } from './commands/export.js';
import { rebuildCommand } from './commands/rebuild.js';
import { serveCommand } from './commands/serve.js';

/** The `telehook` command line. Every command has --help. */
export function createProgram(): Command {
  const program = new Command('telehook')
    .description('Receive TeleCMI webhooks durably, understand calls, and forward them.')
    .showHelpAfterError();

  program.addCommand(serveCommand());
  program.addCommand(rebuildCommand());
  program.addCommand(exportCommand());

  return program;
}
