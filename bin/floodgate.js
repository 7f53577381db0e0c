#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
// Entry point for the installed CLI: runs the compiled build when present, else the TypeScript source through tsx.
// The shebang (`env -S` splits it into words; GNU coreutils >= 8.30, BSD, macOS) caps V8's young generation
// at 4 MB semi-spaces and glibc at 2 malloc arenas: the idle `floodgate run` stays under 100 MB RSS
// (docs/performance.md "## Memory"). The systemd unit runs this file, so it gets the same flags.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
