// Builds the optional recvmmsg receiver (native/recvmmsg.c → native/build/recvmmsg.node) at `npm install`.
// Node-API version 8 keeps one binary loadable by Node 20 and Node 24. Never fails the install: without
// Linux, a C compiler or Node's headers it prints one line and floodgate receives with node:dgram.
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'native', 'recvmmsg.c');
// argv[2]: another output file (tests build into a temporary directory)
const out = resolve(process.argv[2] ?? join(root, 'native', 'build', 'recvmmsg.node'));
const outDir = dirname(out);
const unavailable = (why) => {
  console.log(`floodgate: native receiver unavailable (${why}); node:dgram will be used`);
  process.exit(0);
};

if (process.platform !== 'linux') unavailable(`recvmmsg is Linux only, this is ${process.platform}`);
if (!existsSync(src)) unavailable(`${src} is missing`);
const headerDirs = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
];
const headers = headerDirs.find((d) => existsSync(join(d, 'node_api.h')));
if (headers === undefined) unavailable(`no node_api.h in ${headerDirs.join(', ')}`);
const cc = process.env.CC || 'cc';
try {
  mkdirSync(outDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync(cc, ['-O2', '-shared', '-fPIC', '-pthread', '-Wall', `-I${headers}`, '-o', tmp, src], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // rename: a process that loads the addon meanwhile never sees a half-written file
  renameSync(tmp, out);
  console.log(`floodgate: native receiver built (${out})`);
} catch (e) {
  rmSync(`${out}.${process.pid}.tmp`, { force: true });
  const detail = String(e?.stderr ?? e?.message ?? e)
    .split('\n')
    .find((l) => l.trim() !== '');
  unavailable(`${cc} failed: ${detail ?? 'unknown error'}`);
}
