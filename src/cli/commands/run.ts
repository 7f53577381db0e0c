// `floodgate run`: start the collector, detection, engine, API; stop cleanly on SIGINT/SIGTERM.
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run floodgate: flow listeners, detection, mitigation engine and HTTP API')
    .option('-c, --config <file>', 'config file (default ./floodgate.yaml, else safe built-in defaults)')
    .action(async (o: { config?: string }) => {
      const { runUntilSignalled } = await import('../../app/main.js');
      try {
        await runUntilSignalled(o.config);
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`floodgate: refusing to start: ${err.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });
}
