// Starts bench/replay-sender.ts in its own process (so the collector under test keeps its core): replays
// a capture's UDP payloads to host:port at `rate` datagrams/s for `seconds` (the sender is bounded by
// count and time: at most `seconds` + 2 s). Used by the ingest bench (one step at a time) and the e2e
// bench (a background load for the whole run).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_ROOT = join(fileURLToPath(import.meta.url), '..', '..');

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
