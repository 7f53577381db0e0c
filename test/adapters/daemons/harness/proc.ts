// Starting and stopping the real daemons of the interop tests: each in its own process group, output to
// a log file in the test's temp dir, stopped by killing the group (common.md network hygiene).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `fgad-${prefix}-`));
}

/** Fail (not skip) with the Debian package to install when a binary is missing. */
export function requireBinary(path: string, debianPackage: string): void {
  if (!existsSync(path)) throw new Error(`${path} not found: install the Debian package "${debianPackage}"`);
}

export interface Daemon {
  readonly pid: number;
  readonly log: string;
  readonly exited: () => boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
  tail(): string;
}

export function startDaemon(
  file: string,
  args: readonly string[],
  log: string,
  env?: NodeJS.ProcessEnv,
): Daemon {
  const fd = openSync(log, 'a');
  const child = spawn(file, [...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: env ?? process.env,
  });
  let done = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((done = true), r())));
  child.unref();
  return {
    pid: child.pid ?? -1,
    log,
    exited: () => done,
    async stop(signal = 'SIGTERM') {
      if (done || !child.pid) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exit;
      clearTimeout(t);
    },
    tail: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : ''),
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  stepMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`,
  );
}
