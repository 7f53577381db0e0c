// bin/floodgate.js started as the installed command and the systemd unit start it (executed, so the
// kernel reads its `#!/usr/bin/env -S …` line): node gets the memory flags and the environment the
// shebang names (docs/performance.md "## Memory"), and the command runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'floodgate.js');
const dir = mkdtempSync(join(tmpdir(), 'fg-shebang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/floodgate.js shebang', () => {
  it('starts node with --max-semi-space-size=4 and MALLOC_ARENA_MAX=2, and runs the command', () => {
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toMatch(/^#!\/usr\/bin\/env -S /);
    // a preload (through NODE_OPTIONS, which the shebang leaves alone) reports what node was given
    const seen = join(dir, 'seen.json');
    const preload = join(dir, 'report.mjs');
    writeFileSync(
      preload,
      `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX ?? null }));
`,
    );
    const r = spawnSync(BIN, ['version'], {
      encoding: 'utf8',
      // `env` finds node on PATH: the node running this test (Node 20 or 24)
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
        NODE_OPTIONS: `--import ${preload}`,
      },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^floodgate \d+\.\d+\.\d+ \(node v\d+/);
    const got = JSON.parse(readFileSync(seen, 'utf8')) as { execArgv: string[]; arenas: string | null };
    expect(got.execArgv).toContain('--max-semi-space-size=4');
    expect(got.arenas).toBe('2');
  });
});
