// Starts a real floodgate process (the CLI's `run` command) with a config written to a temp dir,
// waits for /healthz, and stops it with a signal. Uses process.execPath, so the suite's Node runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { GiveUp, waitFor } from './wait.js';

/** Owner token (api.token) of every process the harness starts; reads are also open (api.anonymousRead). */
export const TEST_API_TOKEN = 'floodgate-test-owner-token';
export const authHeader = { authorization: `Bearer ${TEST_API_TOKEN}` };

export interface FloodgateProcess {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly api: string;
  /** Everything the process wrote so far (JSON log lines). */
  output(): string;
  /** waitFor (support/wait.ts), with the last 6 kB of this process's log in the error when time runs out. */
  waitFor<T>(
    what: string,
    fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    timeoutMs?: number,
    everyMs?: number,
  ): Promise<T>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = resolve(import.meta.dirname ?? '.', '..', '..');

export function floodgateCommand(args: string[]): { cmd: string; args: string[] } {
  return { cmd: process.execPath, args: ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args] };
}

export async function startFloodgate(
  config: Record<string, unknown>,
  opts: {
    apiHost?: string;
    apiPort: number;
    env?: NodeJS.ProcessEnv;
    dir?: string;
    /** Runs this instead of the TypeScript source (e.g. a compiled build); `run -c FILE` is appended. */
    command?: { cmd: string; args: string[] };
  },
): Promise<FloodgateProcess> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fg-run-'));
  const host = opts.apiHost ?? '127.0.0.1';
  const full = {
    ...config,
    store: { sqlitePath: join(dir, 'floodgate.db'), ...(config.store as object | undefined) },
    api: {
      host,
      port: opts.apiPort,
      token: TEST_API_TOKEN,
      anonymousRead: true,
      ...(config.api as object | undefined),
    },
  };
  writeFileSync(join(dir, 'floodgate.yaml'), stringify(full));
  const runArgs = ['run', '-c', join(dir, 'floodgate.yaml')];
  const { cmd, args } = opts.command
    ? { cmd: opts.command.cmd, args: [...opts.command.args, ...runArgs] }
    : floodgateCommand(runArgs);
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const api = `http://${host}:${opts.apiPort}`;
  try {
    await waitFor('floodgate /healthz', async () => {
      if (child.exitCode !== null) throw new GiveUp(`floodgate exited with ${child.exitCode}:\n${out}`);
      const res = await fetch(`${api}/healthz`);
      return res.status === 200 || res.status === 503;
    });
  } catch (err) {
    if (err instanceof GiveUp) throw err;
    child.kill('SIGKILL');
    throw new Error(`floodgate did not answer /healthz within 30 s:\n${out}`, { cause: err });
  }
  return {
    child,
    dir,
    api,
    output: () => out,
    waitFor: (what, fn, timeoutMs, everyMs) =>
      waitFor(what, fn, timeoutMs, everyMs).catch((err: Error) => {
        throw new Error(`${err.message}\nfloodgate log:\n${out.slice(-6000)}`);
      }),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: authHeader });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
