// Starts a throwaway PostgreSQL server (Debian's postgresql package) on a loopback address for tests.
// PostgreSQL refuses to run as root, so the cluster is owned by the `postgres` system user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GiveUp, waitFor } from './wait.js';

export interface PostgresServer {
  readonly url: string;
  stop(): Promise<void>;
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort() : [];
  for (const v of versions.reverse()) {
    const p = join(root, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  throw new Error(`PostgreSQL server binary ${name} not found: install the Debian package "postgresql"`);
}

function asPostgres(args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
}

export async function startPostgres(host: string, port: number): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const [cmd, ...args] = asPostgres([
    pgBin('initdb'),
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'floodgate',
    '--no-sync',
  ]);
  const init = spawnSync(cmd!, args, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const [pcmd, ...pargs] = asPostgres([
    pgBin('postgres'),
    '-D',
    data,
    '-h',
    host,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=50',
  ]);
  const child: ChildProcess = spawn(pcmd!, pargs, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `postgres://floodgate@${host}:${port}/postgres`;
  try {
    await waitFor(
      `PostgreSQL on ${host}:${port}`,
      async () => {
        if (child.exitCode !== null) throw new GiveUp(`PostgreSQL exited with ${child.exitCode}`);
        const client = new pg.Client({ connectionString: url });
        try {
          await client.connect();
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      20_000,
    );
  } catch (err) {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
    throw new Error(`PostgreSQL did not start on ${host}:${port}: ${stderr}`, { cause: err });
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // runuser forwards nothing: signal the whole process group (postgres is inside it)
        const group = (sig: NodeJS.Signals) => {
          try {
            process.kill(-child.pid!, sig);
          } catch {
            /* already gone */
          }
        };
        group('SIGINT'); // fast shutdown
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) group('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
