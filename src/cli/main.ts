#!/usr/bin/env node
// CLI entry point.
import { quietOnClosedPipe } from './epipe.js';
import { buildProgram } from './program.js';

quietOnClosedPipe(process.stdout, (code) => process.exit(code));

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`floodgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
