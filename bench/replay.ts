// Starts bench/replay-sender.ts in its own process (so the collector under test keeps its core): replays
// a capture's UDP payloads to host:port at `rate` datagrams/s for `seconds` (the sender is bounded by
// count and time: at most `seconds` + 2 s). Used by the ingest bench (one step at a time) and the e2e
// bench (a background load for the whole run).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { udpOf } from '../src/flow/capture.js';
import { readCapture } from '../src/flow/pcap.js';

export const BENCH_ROOT = join(fileURLToPath(import.meta.url), '..', '..');

let scratch: string | undefined;
const scratchDir = () => (scratch ??= mkdtempSync(join(tmpdir(), 'fg-replay-')));
let fastSender: string | null | undefined;

/**
 * bench/udp-replay.c built with `cc -O2` into a scratch directory (once per process): the C sender for rates
 * the Node sender cannot reach. Undefined when there is no compiler (or not Linux); the reason goes to stderr.
 */
export function buildFastSender(): string | undefined {
  if (fastSender !== undefined) return fastSender ?? undefined;
  fastSender = null;
  if (process.platform !== 'linux') return undefined;
  const out = join(scratchDir(), 'udp-replay');
  try {
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', out, join(BENCH_ROOT, 'bench', 'udp-replay.c')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    fastSender = out;
  } catch (e) {
    process.stderr.write(
      `bench: no C sender (${(e as Error).message.split('\n')[0]}); the Node sender is used\n`,
    );
  }
  return fastSender ?? undefined;
}

const payloadFiles = new Map<string, string>();

/** The capture's UDP payloads as udp-replay's input (4-byte little-endian length, payload), written once. */
export function payloadFile(pcap: string): string {
  const known = payloadFiles.get(pcap);
  if (known) return known;
  const file = join(scratchDir(), `${pcap.replace(/[^A-Za-z0-9]/g, '_')}.dgrams`);
  payloadFiles.set(pcap, file);
  const parts: Buffer[] = [];
  for (const p of readCapture(readFileSync(pcap)).packets) {
    const u = udpOf(p);
    if (!u) continue;
    const len = Buffer.alloc(4);
    len.writeUInt32LE(u.payload.length);
    parts.push(len, Buffer.from(u.payload));
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/**
 * Starts the C sender (buildFastSender) from 127.21.1.2 like the Node one; `cpus` pins it (taskset list).
 * Same contract as startReplay: bounded by count and time, {"sent","seconds"} on stdout.
 */
export function startFastReplay(
  sender: string,
  host: string,
  port: number,
  dgrams: string,
  rate: number,
  seconds: number,
  cpus?: string,
): ChildProcess {
  const args = [dgrams, '127.21.1.2', host, String(port), String(rate), String(seconds)];
  const [cmd, argv] = cpus ? ['taskset', ['-c', cpus, sender, ...args]] : [sender, args];
  return spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
}

export function startReplay(
  host: string,
  port: number,
  pcap: string,
  rate: number,
  seconds: number,
  stdout: 'pipe' | 'ignore' = 'ignore',
): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(BENCH_ROOT, 'bench', 'replay-sender.ts'),
      host,
      String(port),
      pcap,
      String(rate),
      String(seconds),
    ],
    { cwd: BENCH_ROOT, stdio: ['ignore', stdout, 'inherit'] },
  );
}
