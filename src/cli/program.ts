import { Command, Option } from 'commander';

import { SETTINGS } from '../config.js';
import { runServe } from './commands/serve.js';

const option = (key: keyof typeof SETTINGS, valueName: string): Option => {
  const setting = SETTINGS[key];
  return new Option(`${setting.flag} <${valueName}>`, `${setting.describe} (env ${setting.env})`);
};

/** The `telehook` command line. Every command has --help. */
export function createProgram(): Command {
  const program = new Command('telehook')
    .description('Receive TeleCMI webhooks durably, understand calls, and forward them.')
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve the ingest URL, the API and the wallboard')
    .addOption(option('port', 'port'))
    .addOption(option('host', 'host'))
    .addOption(option('dataDir', 'dir'))
    .addOption(option('logFormat', 'format'))
    .addOption(option('logLevel', 'level'))
    .addOption(option('bodyLimitBytes', 'size'))
    .addOption(option('timezone', 'zone'))
    .action(async (flags: Record<string, string | undefined>) => {
      await runServe({
        port: flags['port'],
        host: flags['host'],
        dataDir: flags['data'],
        logFormat: flags['logFormat'],
        logLevel: flags['logLevel'],
        bodyLimitBytes: flags['bodyLimit'],
        timezone: flags['timezone'],
      });
    });

  return program;
}
