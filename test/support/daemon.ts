// The one harness for tests that run real daemons (gobgpd, BIRD, FRR, ExaBGP, stayrtr, rsyslog…): a
// private temp dir, each daemon in its own process group (output kept in memory or in a log file),
// stopped by signalling the group with a bounded wait before SIGKILL (RIG.md network hygiene).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** Fail (not skip) with the Debian package to install when a binary is missing. */
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

/** Signals the child's process group and waits for the leader to exit, SIGKILL after `killAfterMs`. */
async function stopGroup(
  child: ChildProcess,
  exited: Promise<void>,
  signal: NodeJS.Signals,
  killAfterMs: number,
): Promise<void> {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, killAfterMs);
  await exited;
  clearTimeout(t);
}

/** A daemon whose output the test reads in memory (the last 20 kB). */
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
  await stopGroup(p.child, exited, signal, 3000);
}

/** A daemon whose output goes to a log file in the test's temp dir. */
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
      await stopGroup(child, exit, signal, 5000);
    },
    tail: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : ''),
  };
}

/**
 * A daemon a test object starts (again after a stop, if it likes) in a temp dir of its own, which
 * close() removes. `binaries` ([path, Debian package]) are checked before the dir is made.
 */
export abstract class DaemonInTempDir {
  protected daemon: Daemon | undefined;
  readonly dir: string;
  constructor(prefix: string, binaries: readonly (readonly [string, string])[]) {
    for (const [path, pkg] of binaries) requireBinary(path, pkg);
    this.dir = tempDir(prefix);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.daemon?.stop(signal);
    this.daemon = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    removeDir(this.dir);
  }

  /** The last lines of its output. */
  log(): string {
    return this.daemon?.tail() ?? '';
  }
}
