#!/usr/bin/env node
// CLI entry point.
import type { Command } from 'commander';
import { baseProgram } from './base.js';
import { registerRun } from './commands/run.js';
import { quietOnClosedPipe } from './epipe.js';

quietOnClosedPipe(process.stdout, (code) => process.exit(code));

/**
 * `floodgate run` registers only its own command: the daemon then never loads the other commands' modules
 * (about 1.2 MB of heap, docs/performance.md "Memory"). Everything else (help included) sees them all.
 */
async function program(argv: readonly string[]): Promise<Command> {
  if (argv[2] !== 'run') return (await import('./program.js')).buildProgram();
  const p = baseProgram();
  registerRun(p);
  return p;
}

(await program(process.argv)).parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`floodgate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
