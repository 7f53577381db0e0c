// `floodgate simulate SCENARIO.json [--json]`: feeds a scenario through the real engine on a virtual
// clock with dry-run adapters and prints every decision in time order (docs/engine.md, "Scenarios").
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { formatDecision, simulate } from '../../engine-shell/scenario.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'Run a timed scenario of attack events and manual requests through the engine (virtual clock, dry-run)',
    )
    .argument('<scenario>', 'scenario JSON file (format: docs/engine.md)')
    .option('--json', 'print the decisions as a JSON array')
    .action(async (file: string, opts: { json?: boolean }) => {
      let input: unknown;
      try {
        input = JSON.parse(await readFile(file, 'utf8'));
      } catch (e) {
        process.stderr.write(
          `simulate: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`,
        );
        process.exitCode = 2;
        return;
      }
      try {
        const { decisions } = await simulate(input);
        if (opts.json) process.stdout.write(`${JSON.stringify(decisions, null, 2)}\n`);
        else for (const d of decisions) process.stdout.write(`${formatDecision(d)}\n`);
      } catch (e) {
        if (e instanceof ZodError) {
          for (const issue of e.issues)
            process.stderr.write(
              `simulate: ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}\n`,
            );
          process.exitCode = 2;
          return;
        }
        throw e;
      }
    });
}
