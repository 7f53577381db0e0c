// `floodgate check-config`: validate a config file without starting anything.
import type { Command } from 'commander';
import { checkConfig } from '../../config/checks.js';
import { ConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/load.js';
import { carryIssues } from '../../app/adapters.js';
import { createLogger } from '../../app/logger.js';
import { formatCarryIssue } from '../../mitigation/carry.js';

export function registerCheckConfig(program: Command): void {
  program
    .command('check-config')
    .description('validate the config file and print the effective config (defaults filled in)')
    .option('-c, --config <file>', 'config file (default ./floodgate.yaml, else built-in defaults)')
    .option('--quiet', 'print nothing on success')
    .action(async (o: { config?: string; quiet?: boolean }) => {
      try {
        const loaded = loadConfig(o.config);
        // the same checks `floodgate run` applies before it starts
        const checks = checkConfig(loaded.config);
        for (const c of checks)
          process.stderr.write(`${c.level === 'error' ? 'ERROR' : 'WARNING'}: ${c.path}: ${c.message}\n`);
        if (checks.some((c) => c.level === 'error')) {
          process.stderr.write(`invalid config ${loaded.file ?? '(defaults)'}: see the errors above\n`);
          process.exitCode = 2;
          return;
        }
        // levels no configured adapter carries: an error when mitigation is live, a warning in dry-run
        const issues = await carryIssues(loaded.config, createLogger('silent'));
        for (const i of issues)
          process.stderr.write(`${i.severity === 'error' ? 'error' : 'warning'}: ${formatCarryIssue(i)}\n`);
        const errors = issues.filter((i) => i.severity === 'error').length;
        if (errors > 0) process.exitCode = 2;
        if (!o.quiet) {
          process.stdout.write(
            `${errors > 0 ? `config has ${errors} error(s)` : 'config OK'}: ${loaded.file ?? 'no file, built-in defaults'}\n`,
          );
          if (loaded.fromEnv.length) process.stdout.write(`from environment: ${loaded.fromEnv.join(', ')}\n`);
          const redacted = JSON.parse(
            JSON.stringify(loaded.config, (k, v: unknown) =>
              /token|secret|password|url$/i.test(k) && typeof v === 'string' ? '***' : v,
            ),
          );
          process.stdout.write(JSON.stringify(redacted, null, 2) + '\n');
        }
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(err.message + '\n');
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });
}
