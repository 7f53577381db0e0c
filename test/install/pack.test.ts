// The packed tarball installs like a daemon: `npm pack` (prepack builds), `npm install -g` on a clean
// prefix, then the installed `floodgate` runs compiled JavaScript: version, check-config, and a
// start/stop cycle of `floodgate run` (healthz, dashboard, SIGTERM exits 0). Loopback block 127.23.0.0/16.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { GiveUp, waitFor } from '../support/wait.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'fg-pack-'));
const prefix = join(tmp, 'prefix');
// packed from a copy of the tree: prepack's build empties and rewrites dist/, and the dashboard tests
// running beside this one serve the repository's dist/dashboard
const tree = join(tmp, 'tree');
const SKIP = new Set(['node_modules', 'dist', '.git', '.node24', '.test-results']);
// the Node running this test installs and runs the package: native addons (better-sqlite3) are built
// against its own headers (npm_config_nodedir), or an installed floodgate would not load under Node 24
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  npm_config_nodedir: dirname(dirname(process.execPath)),
};
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('npm pack + npm install -g', () => {
  it('gives a floodgate command that runs the compiled build', { timeout: 900_000 }, async () => {
    // prepack runs `npm run build` (tsc to dist/ and the dashboard to dist/dashboard)
    cpSync(ROOT, tree, {
      recursive: true,
      filter: (src) => !SKIP.has(src.slice(ROOT.length + 1).split('/')[0] ?? ''),
    });
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
    run('npm', ['pack', '--pack-destination', tmp], tree);
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    run(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        join(tmp, tarball!),
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
      ],
      tmp,
    );

    const pkg = join(prefix, 'lib', 'node_modules', 'floodgate');
    expect(existsSync(join(pkg, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'dashboard', 'index.html'))).toBe(true);
    expect(existsSync(join(pkg, 'packaging', 'floodgate.service'))).toBe(true);
    // compiled JavaScript only: no TypeScript sources, no tests in the package
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'test'))).toBe(false);

    const bin = join(prefix, 'bin', 'floodgate');
    expect(run(bin, ['version'], tmp)).toMatch(/^floodgate \d+\.\d+\.\d+/);

    const cfg = join(tmp, 'cfg.yaml');
    writeFileSync(
      cfg,
      stringify({
        store: { sqlitePath: join(tmp, 'state', 'floodgate.db') },
        api: { host: '127.23.0.1', port: 18423 },
        flow: {
          listeners: [
            { protocol: 'sflow', address: '127.23.0.1', port: 16343 },
            { protocol: 'netflow', address: '127.23.0.1', port: 12055 },
          ],
        },
        detection: { networks: ['198.51.100.0/24'] },
      }),
    );
    run(bin, ['check-config', '-c', cfg], tmp);

    const child = spawn(bin, ['run', '-c', cfg], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(
        'the installed floodgate to answer /healthz',
        async () => {
          if (child.exitCode !== null) throw new GiveUp(`floodgate exited ${child.exitCode}:\n${out}`);
          const { status } = await fetch('http://127.23.0.1:18423/healthz');
          return status === 200 || status === 503;
        },
        60_000,
        200,
      ).catch((err: Error) => {
        throw err instanceof GiveUp ? err : new Error(`${err.message}\n${out}`, { cause: err });
      });
      // the dashboard built into dist/dashboard is served from the installed package
      const dash = await fetch('http://127.23.0.1:18423/dashboard/');
      expect(dash.status).toBe(200);
      expect(await dash.text()).toMatch(/<html/i);
      // logs are JSON lines (journald keeps them as they are)
      const first = out.split('\n').find((l) => l.trim() !== '');
      expect(() => JSON.parse(first!) as unknown).not.toThrow();
    } finally {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      expect(code, out).toBe(0);
    }
    expect(out).toContain('floodgate stopped');
  });
});
