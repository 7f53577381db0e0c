// Throughput of the whole `floodgate run` process (issue 15): real exporter captures (softflowd NetFlow v9,
// pmacct sfprobe sFlow v5, test/fixtures/flow) replayed over loopback from a separate process at stepped
// datagram rates, each step bounded in time. Per offered rate: datagrams/s sent, received, dropped by the
// kernel (the listener's /proc drop counter, as GET /api/v1/exporters shows it), loss, records/s counted
// by the detector, CPU of the floodgate process (one core = 100 %) and its RSS; then the loss onset (the
// first rate with ≥ 1 % loss). The sender is Node too and may top out below the highest step on a busy
// machine: the achieved rate is what is reported. Each capture is run once per flow.workers setting
// (INGEST_BENCH_WORKERS, default "0"): with workers, records decoded (exporters' counters) and records the
// detector counted differ by what pre-aggregation merged. The 1-minute load average is reported per step.
// Run: npx tsx bench/ingest.bench.ts
import { runIfMain } from './main.js';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCapture } from '../src/flow/capture.js';
import { freeUdpPort } from '../test/e2e/support-sflow.js';
import { startReplay } from './replay.js';
import { getJson, startFloodgate } from '../test/support/floodgate-process.js';

const HOST = process.env.INGEST_BENCH_HOST ?? '127.21.1.1';
const API_PORT = Number(process.env.INGEST_BENCH_API_PORT ?? 18431);
const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const STEP_SECONDS = Number(process.env.INGEST_BENCH_SECONDS ?? 3);
const RATES = (process.env.INGEST_BENCH_RATES ?? '2000,5000,10000,20000,40000').split(',').map(Number);
const WORKERS = (process.env.INGEST_BENCH_WORKERS ?? '0').split(',').map(Number);

const CAPTURES = [
  { name: 'netflow9', protocol: 'netflow', file: 'softflowd-v9.pcap' },
  { name: 'sflow5', protocol: 'sflow', file: 'sfprobe-sflow5.pcap' },
] as const;

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
    const child = startReplay(HOST, port, pcap, rate, STEP_SECONDS, 'pipe');
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
          detection: { networks: ['0.0.0.0/0'] },
          mitigation: { dryRun: true },
        },
        { apiHost: HOST, apiPort: API_PORT },
      );
      const pid = fg.child.pid ?? 0;
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
      try {
        // warm-up (JIT, lazily loaded modules), not measured
        await send(port, pcap, RATES[0] ?? 1000);
        await settle();
        for (const rate of RATES) {
          const h0 = await health();
          const d0 = await decodedRecords();
          const p0 = procStat(pid);
          const m0 = procStat(pid, true);
          const t0 = performance.now();
          const s = await send(port, pcap, rate);
          const sendWall = (performance.now() - t0) / 1000;
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
          out[`${k}.rssMB`] = Math.round(p1.rssBytes / 1e6);
          if (!onset && loss >= 0.01) onset = rate;
        }
      } finally {
        await fg.stop();
      }
      // 0 = no step lost ≥ 1 %
      out[`w${workers}.${c.name}.lossOnsetDatagramsPerSecond`] = onset;
    }
  return out;
}

runIfMain(import.meta.url, run);
