// `floodgate run` loads no other command's module (the daemon's idle memory, docs/performance.md
// "Memory"); every other invocation, help included, still sees every command.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'fg-run-only-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// a module loader hook that writes down every module URL node loads
const seen = join(dir, 'loaded.txt');
writeFileSync(
  join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(seen)}, url + '\\n');
  return next(url, context);
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
`,
);

/** Runs the CLI with `args`; returns its stdout and the command modules it loaded. */
function cli(args: string[]): { stdout: string; commands: string[] } {
  rmSync(seen, { force: true });
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', join(dir, 'register.mjs'), MAIN, ...args],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  const commands = readFileSync(seen, 'utf8')
    .split('\n')
    .map((u) => /\/src\/cli\/commands\/([\w-]+)\.ts/.exec(u)?.[1])
    .filter((c): c is string => c !== undefined);
  return { stdout: r.stdout, commands: [...new Set(commands)].sort() };
}

describe('floodgate run registers only its own command', () => {
  it('loads the run command module and no other', () => {
    const { stdout, commands } = cli(['run', '--help']);
    expect(stdout).toContain('Usage: floodgate run');
    expect(commands).toEqual(['run']);
  });

  it('help lists every command, with their modules loaded', () => {
    const { stdout, commands } = cli(['--help']);
    for (const c of ['run', 'doctor', 'replay', 'simulate', 'analyze', 'agent', 'tokens'])
      expect(stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(commands).toEqual(expect.arrayContaining(['run', 'doctor', 'replay', 'simulate']));
  });
});
