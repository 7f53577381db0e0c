// The floodgate command line: one commander program, one module per command.
import { Command } from 'commander';
import { registerCheckConfig } from './commands/check-config.js';
import { registerRules } from './commands/rules.js';
import { registerRun } from './commands/run.js';
import { VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('floodgate')
    .description('DDoS detection from flow telemetry and automatic BGP mitigation')
    .version(VERSION, '-V, --version-flag', 'print the version')
    .showHelpAfterError();
  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`floodgate ${VERSION} (node ${process.version})\n`);
    });
  registerRun(program);
  registerCheckConfig(program);
  registerRules(program);
  return program;
}
