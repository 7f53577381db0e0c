// Throughput of the whole `floodgate run` process (issue 15): real exporter captures (softflowd NetFlow v9,
// pmacct sfprobe sFlow v5, test/fixtures/flow) replayed over loopback from a separate process at stepped
// datagram rates, each step bounded in time. Per offered rate: datagrams/s sent, received, dropped by the
// kernel (the listener's /proc drop counter, as GET /api/v1/exporters shows it), loss, records/s counted
// by the detector, CPU of the floodgate process (one core = 100 %) and its RSS; then the loss onset (the
// first rate with ≥ 1 % loss) and the sustained rate (the most records/s of a step under 1 % loss).
// One core: with two or more CPUs and `taskset`, floodgate (every thread) is pinned to CPU 0 and the sender
// to CPU 1 (INGEST_BENCH_PIN=0: neither). The sender is bench/udp-replay.c (sendmmsg), built with `cc` at
// the start; without a compiler the Node sender (bench/replay-sender.ts, ~150–200 k datagrams/s at most)
// and the old rate steps are used. Either may top out below the highest step: the achieved rate is what is
// reported. Each capture is run once per flow.workers setting (INGEST_BENCH_WORKERS, default "0"): with
// workers, records decoded (exporters' counters) and records the detector counted differ by what
// pre-aggregation merged. The 1-minute load average is reported per step.
// floodgate runs as installed: compiled with tsc into a scratch directory and started through
// bin/floodgate.js with its shebang's memory settings (INGEST_BENCH_SOURCE=1: the TypeScript source under
// tsx instead). Detection (INGEST_BENCH_DETECTION): `counting` (default) tracks the captures' protected
// networks (203.0.113.0/24, 2001:db8:100::/48, as ../shared/bench configures both contenders) with
// thresholds no step reaches, so the figure is counting alone; `all` tracks 0.0.0.0/0 (both directions of
// every IPv4 record) with the shipped thresholds, so the replayed flood is also detected, described and
// mitigated (dry run) while it is counted (the setup of the figures before session 8).
// Run: npx tsx bench/ingest.bench.ts
import { compileInto } from './compile.js';
import { runIfMain } from './main.js';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCapture } from '../src/flow/capture.js';
import { freeUdpPort } from '../test/e2e/support-sflow.js';
import { buildFastSender, payloadFile, startFastReplay, startReplay } from './replay.js';
import { getJson, startFloodgate } from '../test/support/floodgate-process.js';

const HOST = process.env.INGEST_BENCH_HOST ?? '127.21.1.1';
const API_PORT = Number(process.env.INGEST_BENCH_API_PORT ?? 18431);
const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const STEP_SECONDS = Number(process.env.INGEST_BENCH_SECONDS ?? 3);
const WORKERS = (process.env.INGEST_BENCH_WORKERS ?? '0').split(',').map(Number);
const FAST = buildFastSender();
const NODE_RATES = '2000,5000,10000,20000,40000';

// Steps up to and past the one-core targets: 3 M NetFlow v9 records/s is ~103 k datagrams/s of the
// softflowd capture (29 records each), 2.5 M sFlow samples/s ~352 k of the sfprobe one (7.1 each).
const CAPTURES = [
  {
    name: 'netflow9',
    protocol: 'netflow',
    file: 'softflowd-v9.pcap',
    fastRates: '25000,50000,100000,150000,175000,200000,225000,250000',
  },
  {
    name: 'sflow5',
    protocol: 'sflow',
    file: 'sfprobe-sflow5.pcap',
    fastRates: '50000,100000,200000,300000,350000,400000,450000,500000',
  },
] as const;
const ratesOf = (c: (typeof CAPTURES)[number]) =>
  (process.env.INGEST_BENCH_RATES ?? (FAST ? c.fastRates : NODE_RATES)).split(',').map(Number);

/** One core for floodgate (CPU 0), another for the sender (CPU 1), when there are two and taskset runs. */
function canPin(): boolean {
  if (process.env.INGEST_BENCH_PIN === '0' || cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PIN = canPin();
const ALL = process.env.INGEST_BENCH_DETECTION === 'all';

/** The compiled CLI in a scratch directory, started as the installed command is (bin/floodgate.js, shebang flags). */
function compiled(): { command: { cmd: string; args: string[] }; env: NodeJS.ProcessEnv } | undefined {
  if (process.env.INGEST_BENCH_SOURCE === '1') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fg-ingest-'));
  compileInto(dir);
  // the native receiver is found two levels above dist/flow, as in a checkout
  for (const d of ['node_modules', 'native']) symlinkSync(join(ROOT, d), join(dir, d));
  return {
    command: { cmd: process.execPath, args: ['--max-semi-space-size=4', join(dir, 'bin', 'floodgate.js')] },
    env: { MALLOC_ARENA_MAX: '2' },
  };
}

interface Exporters {
  exporters: {
    datagrams: number;
    listeners: { port: number; rxQueueBytes: number }[];
    exporters: { records: number }[];
  };
}

interface Health {
  checks: {
    flow: { datagrams: number; listeners: { port: number; socketDrops: number }[] };
    detection: { records: number };
  };
}

/** CPU ticks and RSS of the whole process, or of its main thread alone (`thread`). */
function procStat(pid: number, thread = false): { cpuTicks: number; rssBytes: number } {
  const s = readFileSync(thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { cpuTicks: Number(f[11]) + Number(f[12]), rssBytes: Number(f[21]) * 4096 };
}

function send(port: number, pcap: string, rate: number): Promise<{ sent: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = FAST
      ? startFastReplay(FAST, HOST, port, payloadFile(pcap), rate, STEP_SECONDS, PIN ? '1' : undefined)
      : startReplay(HOST, port, pcap, rate, STEP_SECONDS, 'pipe');
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (STEP_SECONDS + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as { sent: number; seconds: number });
      else reject(new Error(`replay sender exited with ${code}`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  out['senderIsC'] = FAST ? 1 : 0;
  out['collectorPinnedToOneCore'] = PIN ? 1 : 0;
  out['detectionAll'] = ALL ? 1 : 0;
  const build = compiled();
  out['compiledBuild'] = build ? 1 : 0;
  for (const workers of WORKERS)
    for (const c of CAPTURES) {
      const pcap = join(ROOT, 'test', 'fixtures', 'flow', c.file);
      const decoded = decodeCapture(readFileSync(pcap));
      const perDatagram = decoded.sink.count / Math.max(1, decoded.packets - decoded.skipped);
      out[`${c.name}.recordsPerDatagram`] = Math.round(perDatagram * 10) / 10;
      const port = await freeUdpPort(HOST);
      const fg = await startFloodgate(
        {
          log: { level: 'warn' },
          flow: { listeners: [{ protocol: c.protocol, address: HOST, port }], workers },
          detection: ALL
            ? { networks: ['0.0.0.0/0'] }
            : {
                networks: ['203.0.113.0/24', '2001:db8:100::/48'],
                thresholds: {
                  host: { incoming: { pps: 1e15, bps: 1e15, synPps: 1e15 } },
                  prefix: { incoming: { pps: 1e15, bps: 1e15 } },
                },
              },
          mitigation: { dryRun: true },
        },
        { apiHost: HOST, apiPort: API_PORT, ...(build ?? {}) },
      );
      const pid = fg.child.pid ?? 0;
      // every thread of it (the native receive thread included) onto CPU 0
      if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { stdio: 'ignore' });
      const health = () => getJson<Health>(`${fg.api}/healthz`);
      const decodedRecords = async () =>
        (await getJson<Exporters>(`${fg.api}/api/v1/exporters`)).exporters.exporters.reduce(
          (n, e) => n + e.records,
          0,
        );
      // Waits until the socket's queue is empty and the datagram count stayed put for 1 s (≤ 15 s): the
      // decode workers' counters reach the API as snapshots every 500 ms.
      const settle = async () => {
        let last = -1;
        let still = 0;
        for (let i = 0; i < 75 && still < 5; i++) {
          const e = await getJson<Exporters>(`${fg.api}/api/v1/exporters`);
          const queued = e.exporters.listeners.find((l) => l.port === port)?.rxQueueBytes ?? 0;
          still = queued === 0 && e.exporters.datagrams === last ? still + 1 : 0;
          last = e.exporters.datagrams;
          await sleep(200);
        }
      };
      let onset = 0;
      let sustained = 0;
      let sustainedAt = 0;
      const rates = ratesOf(c);
      try {
        // warm-up (JIT, lazily loaded modules), not measured
        await send(port, pcap, rates[0] ?? 1000);
        await settle();
        for (const rate of rates) {
          const h0 = await health();
          const d0 = await decodedRecords();
          const p0 = procStat(pid);
          const m0 = procStat(pid, true);
          const t0 = performance.now();
          const s = await send(port, pcap, rate);
          const sendWall = (performance.now() - t0) / 1000;
          const pSent = procStat(pid);
          await settle();
          const h1 = await health();
          const d1 = await decodedRecords();
          const p1 = procStat(pid);
          const m1 = procStat(pid, true);
          const wall = (performance.now() - t0) / 1000;
          out[`w${workers}.${c.name}.${rate}.drainSeconds`] = Math.round((wall - sendWall) * 10) / 10;
          const received = h1.checks.flow.datagrams - h0.checks.flow.datagrams;
          const drop = (h: Health) => h.checks.flow.listeners.find((l) => l.port === port)?.socketDrops ?? 0;
          const dropped = drop(h1) - drop(h0);
          const loss = s.sent > 0 ? 1 - received / s.sent : 0;
          const k = `w${workers}.${c.name}.${rate}`;
          out[`${k}.sentPerSecond`] = Math.round(s.sent / s.seconds);
          out[`${k}.receivedDatagrams`] = received;
          out[`${k}.socketDrops`] = dropped;
          out[`${k}.lossPercent`] = Math.round(loss * 1000) / 10;
          out[`${k}.recordsPerSecond`] = Math.round(
            (h1.checks.detection.records - h0.checks.detection.records) / s.seconds,
          );
          out[`${k}.decodedPerSecond`] = Math.round((d1 - d0) / s.seconds);
          out[`${k}.load1`] = Math.round(loadavg()[0]! * 10) / 10;
          out[`${k}.mainThreadCpuPercent`] = Math.round(((m1.cpuTicks - m0.cpuTicks) / 100 / wall) * 100);
          out[`${k}.cpuPercent`] = Math.round(((p1.cpuTicks - p0.cpuTicks) / 100 / wall) * 100);
          // while the sender ran (the figure above includes the drain after it)
          out[`${k}.cpuPercentWhileSending`] = Math.round(
            ((pSent.cpuTicks - p0.cpuTicks) / 100 / sendWall) * 100,
          );
          out[`${k}.rssMB`] = Math.round(p1.rssBytes / 1e6);
          if (!onset && loss >= 0.01) onset = rate;
          const perSecond = out[`${k}.recordsPerSecond`] ?? 0;
          if (loss < 0.01 && perSecond > sustained) {
            sustained = perSecond;
            sustainedAt = out[`${k}.sentPerSecond`] ?? 0;
          }
        }
      } finally {
        await fg.stop();
      }
      // 0 = no step lost ≥ 1 %
      out[`w${workers}.${c.name}.lossOnsetDatagramsPerSecond`] = onset;
      out[`w${workers}.${c.name}.sustainedRecordsPerSecond`] = sustained;
      out[`w${workers}.${c.name}.sustainedAtDatagramsPerSecond`] = sustainedAt;
    }
  return out;
}

runIfMain(import.meta.url, run);
