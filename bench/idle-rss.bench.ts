// Idle memory of `floodgate run` (issue 15: idle RSS ≤ 100 MB with the default config). Builds the
// compiled CLI (tsc, into a temp dir), starts `node dist/cli/main.js run` on the default config with only
// the listener / API addresses and the SQLite path changed, waits 15 s after the API is up and reads VmRSS
// from /proc/PID/status; heap figures come from a tiny preload that answers SIGUSR2 (bench only), which
// also names the optional drivers (pg, nodemailer, kafkajs, nats…) that got loaded. Then the import cost
// of single modules (RSS of a fresh node after importing only that module, minus bare node's).
// Run: npx tsx bench/idle-rss.bench.ts   (IDLE_RSS_SECONDS, IDLE_RSS_NODE=/path/to/node to change; for a
// node of another ABI, IDLE_RSS_SQLITE_ADDON=/path/to/better_sqlite3.node built for it)
import { compileInto } from './compile.js';
import { runIfMain } from './main.js';
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const HOST = '127.0.93.10';
const IDLE_SECONDS = Number(process.env.IDLE_RSS_SECONDS ?? 15);
const NODE = process.env.IDLE_RSS_NODE ?? process.execPath;
const SQLITE_ADDON = process.env.IDLE_RSS_SQLITE_ADDON;

/**
 * Packages that only some configs need; the default config should load none of them. Seen through the
 * CommonJS module cache, so an ES-module package (nodemailer 10) is not listed: its unit test covers it.
 */
const OPTIONAL = [
  'pg',
  'nodemailer',
  'kafkajs',
  'nats',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'undici',
] as const;

/**
 * Runs compared ('bin' = bin/floodgate.js with its shebang's environment and node flags, as the installed
 * command and the systemd unit run it: the headline; '' = `node dist/cli/main.js` as is; anything else =
 * node flags before dist/cli/main.js).
 */
const VARIANTS = (process.env.IDLE_RSS_VARIANTS ?? 'bin,').split(',').map((v) => v.trim());

/**
 * bin/floodgate.js's `#!/usr/bin/env -S [NAME=VALUE…] node [flags…]` line: `env -S` splits it into words,
 * sets the leading assignments in the environment and runs node with the flags.
 */
function shebang(): { env: Record<string, string>; flags: string[] } {
  const first = readFileSync(join(ROOT, 'bin', 'floodgate.js'), 'utf8').split('\n')[0] ?? '';
  const words = first
    .replace(/^#!\S*env\s+(-S\s+)?/, '')
    .split(/\s+/)
    .filter(Boolean);
  const at = words.indexOf('node');
  const env = Object.fromEntries(words.slice(0, at).map((w) => w.split('=', 2) as [string, string]));
  return { env, flags: words.slice(at + 1) };
}

/** Single-module import costs (paths under dist/ are the compiled product modules). */
const MODULES = [
  'fastify',
  'zod',
  'pino',
  'kysely',
  'better-sqlite3',
  'pg',
  'nodemailer',
  'kafkajs',
  'nats',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/static',
  'commander',
  'yaml',
  'dist/config/load.js',
  'dist/store/open.js',
  'dist/notify/index.js',
  'dist/export/manager.js',
  'dist/api/server.js',
  'dist/app/app.js',
  'dist/cli/program.js',
];

// Bench-only preload: SIGUSR2 writes memoryUsage and the CommonJS files loaded so far to $IDLE_RSS_OUT.
const PRELOAD = `data:text/javascript,${encodeURIComponent(`
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire('/');
process.on('SIGUSR2', () => {
  writeFileSync(process.env.IDLE_RSS_OUT, JSON.stringify({ mem: process.memoryUsage(), cjs: Object.keys(require.cache) }));
});
`)}`;

function vmRssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => Math.round(b / 1e5) / 10;

/** Compiles src/ into dir/dist and makes dir look like the installed package (package.json, node_modules). */
function build(dir: string): void {
  compileInto(dir);
  if (SQLITE_ADDON) {
    // node_modules as links to the shared one, but better-sqlite3 copied with the addon for IDLE_RSS_NODE's ABI
    mkdirSync(join(dir, 'node_modules'));
    for (const e of readdirSync(join(ROOT, 'node_modules')))
      if (e !== 'better-sqlite3') symlinkSync(join(ROOT, 'node_modules', e), join(dir, 'node_modules', e));
    const bs3 = join(dir, 'node_modules', 'better-sqlite3');
    cpSync(join(ROOT, 'node_modules', 'better-sqlite3'), bs3, { recursive: true, dereference: true });
    cpSync(SQLITE_ADDON, join(bs3, 'build', 'Release', 'better_sqlite3.node'));
  } else symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  // the dashboard is served when built: take the built one, or a one-page stand-in that takes the same path
  const dash = join(dir, 'dist', 'dashboard');
  if (existsSync(join(ROOT, 'dist', 'dashboard', 'index.html')))
    cpSync(join(ROOT, 'dist', 'dashboard'), dash, { recursive: true });
  else {
    mkdirSync(dash, { recursive: true });
    writeFileSync(join(dash, 'index.html'), '<!doctype html><title>floodgate</title>');
  }
}

interface Idle {
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  optionalLoaded: string[];
}

async function idleRun(dir: string, args: string[], env: Record<string, string> = {}): Promise<Idle> {
  const cfg = join(dir, 'floodgate.yaml');
  writeFileSync(
    cfg,
    [
      'store:',
      `  sqlitePath: ${join(dir, 'data', 'floodgate.db')}`,
      'api:',
      `  host: ${HOST}`,
      '  port: 0',
      'flow:',
      '  listeners:',
      ...['netflow', 'netflow', 'sflow'].flatMap((p) => [
        `    - protocol: ${p}`,
        `      address: ${HOST}`,
        '      port: 0',
      ]),
      '',
    ].join('\n'),
  );
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  const out = join(dir, 'mem.json');
  rmSync(out, { force: true });
  const child = spawn(NODE, ['--import', PRELOAD, ...args, 'run', '-c', cfg], {
    cwd: dir,
    env: { ...process.env, ...env, IDLE_RSS_OUT: out },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const deadline = Date.now() + 60_000;
    while (!log.includes('HTTP API listening')) {
      if (child.exitCode !== null) throw new Error(`floodgate exited with ${child.exitCode}:\n${log}`);
      if (Date.now() > deadline) throw new Error(`floodgate did not start within 60 s:\n${log}`);
      await sleep(100);
    }
    await sleep(IDLE_SECONDS * 1000);
    const rss = vmRssBytes(child.pid ?? 0);
    child.kill('SIGUSR2');
    for (let i = 0; i < 100 && !existsSync(out); i++) await sleep(50);
    const r = JSON.parse(readFileSync(out, 'utf8')) as { mem: NodeJS.MemoryUsage; cjs: string[] };
    const loaded = OPTIONAL.filter((p) => r.cjs.some((f) => f.includes(`/node_modules/${p}/`)));
    return {
      rssMB: mb(rss),
      heapUsedMB: mb(r.mem.heapUsed),
      heapTotalMB: mb(r.mem.heapTotal),
      externalMB: mb(r.mem.external),
      optionalLoaded: loaded,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
  }
}

// Imports one module (argv[2]: a package name or a path under the build dir; none = bare node), waits a
// moment for lazy work to settle and prints VmRSS in kB.
const PROBE = `import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const spec = process.argv[2];
if (spec) await import(spec.startsWith('dist/') ? pathToFileURL(process.cwd() + '/' + spec).href : spec);
await new Promise((r) => setTimeout(r, 300));
console.log(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
`;

/** RSS of a fresh node that imported `spec` ('' = bare node), in bytes. */
function importRss(dir: string, spec: string): number {
  const args = [join(dir, 'probe.mjs'), ...(spec ? [spec] : [])];
  return Number(execFileSync(NODE, args, { cwd: dir, encoding: 'utf8' }).trim()) * 1024;
}

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-idle-rss-'));
  const out: Record<string, number> = {};
  const report: Record<string, unknown> = { node: NODE === process.execPath ? process.version : NODE };
  try {
    build(dir);
    const main = join(dir, 'dist', 'cli', 'main.js');
    const sb = shebang();
    for (const v of VARIANTS) {
      const args =
        v === 'bin' ? [...sb.flags, join(dir, 'bin', 'floodgate.js')] : [...(v ? v.split(/\s+/) : []), main];
      const r = await idleRun(dir, args, v === 'bin' ? sb.env : {});
      const binKey = [...Object.entries(sb.env).map(([k, x]) => `${k}=${x}`), ...sb.flags].join(' ');
      const key = v === 'bin' ? `bin[${binKey}]` : v ? `compiled[${v}]` : 'compiled';
      report[key] = r;
      out[`${key}.rssMB`] = r.rssMB;
      out[`${key}.heapUsedMB`] = r.heapUsedMB;
      out[`${key}.optionalDriversLoaded`] = r.optionalLoaded.length;
      // the machine is shared: the 1-minute load average when the figure was read
      out[`${key}.loadAvg1`] = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    }
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    const bare = importRss(dir, '');
    out['import.bareNodeMB'] = mb(bare);
    const costs: Record<string, number> = {};
    for (const m of MODULES) {
      costs[m] = mb(importRss(dir, m) - bare);
      out[`import.${m}.MB`] = costs[m];
    }
    report.importCostMB = costs;
    process.stderr.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

runIfMain(import.meta.url, run);
