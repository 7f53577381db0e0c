// Headless Debian Chromium driven by playwright-core (RIG.md §12), and the dashboard build the
// browser tests need: built once per source change, under a lock, by the same `npm run build:web`
// that CI and `npm run build` run.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { waitFor } from './wait.js';

const ROOT = resolve(import.meta.dirname ?? '.', '..', '..');
export const DASHBOARD_DIR = join(ROOT, 'dist', 'dashboard');
const SOURCES = [
  join(ROOT, 'src', 'web', 'client'),
  join(ROOT, 'src', 'web', 'manual-request.ts'),
  // the audit view lists the actions declared in the domain
  join(ROOT, 'src', 'domain', 'audit.ts'),
];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** Runs `npm run build:web` unless dist/dashboard is newer than every dashboard source file. */
export async function ensureDashboardBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist', '.dashboard-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  await waitFor(
    'the dashboard build lock',
    () => {
      try {
        mkdirSync(lock);
        return true;
      } catch {
        // another test file is building; a lock older than 3 minutes was left by a killed run
        const held = statSync(lock, { throwIfNoEntry: false });
        if (held && Date.now() - held.mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
        return false;
      }
    },
    180_000,
    250,
  ).catch((err: Error) => {
    throw new Error(`dashboard build lock ${lock} held for 3 minutes`, { cause: err });
  });
  try {
    const index = join(DASHBOARD_DIR, 'index.html');
    if (existsSync(index) && statSync(index).mtimeMs > Math.max(...SOURCES.map(newestMtime))) return;
    await promisify(execFile)('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, timeout: 170_000 });
  } finally {
    rmdirSync(lock);
  }
}

export interface Chromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Debian's chromium (the ELF, not the /usr/bin wrapper), no DNS but loopback, HOME in a temp dir.
 * `hosts`: the test's own loopback addresses; MAP * ~NOTFOUND would otherwise refuse those literals too.
 */
export async function launchChromium(hosts: readonly string[] = []): Promise<Chromium> {
  const home = mkdtempSync(join(tmpdir(), 'fg-chrome-'));
  const browser = await chromium.launch({
    executablePath: '/usr/lib/chromium/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost${hosts.map((h) => `, EXCLUDE ${h}`).join('')}`,
    ],
    env: { ...process.env, HOME: home },
    timeout: 60_000,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
