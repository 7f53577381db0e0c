// The installed package's layout for benches that measure floodgate as installed (idle-rss, ingest):
// src/ compiled with the build's tsconfig into DIR/dist, package.json and bin/ copied beside it. The caller
// adds node_modules (and native/, for the receiver addon) as it needs them.
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

export function compileInto(dir: string): void {
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
}
