// Start/stop real routing daemons for interop tests: private temp dir, own process group, bounded waits.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export function requireBinary(path: string, debPackage: string): void {
  if (!existsSync(path))
    throw new Error(
      `${path} not found: install the Debian package "${debPackage}" (apt-get install ${debPackage})`,
    );
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `floodgate-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Proc {
  readonly child: ChildProcess;
  output(): string;
}

export function startProcess(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ?? process.env,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  return { child, output: () => out };
}

/** Kill a process group we started and wait for the leader to exit. */
export async function stopProcess(p: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.pid === undefined) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  try {
    process.kill(-p.child.pid, signal);
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      if (p.child.pid !== undefined) process.kill(-p.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 3000);
  await exited;
  clearTimeout(t);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
