#!/usr/bin/env node
// CLI entry point.
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`floodgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
