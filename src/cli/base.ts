// The floodgate command line without its commands: name, description, version. program.ts adds every
// command; `floodgate run` (main.ts) adds only its own, so the daemon loads no other command's modules.
import { Command } from 'commander';
import { VERSION } from './version.js';

export function baseProgram(): Command {
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
  return program;
}
