// Detection benchmark: cost per record counted, detection latency (first attack record → AttackEvent,
// in record time, on the 100 ms tick) for sFlow-like input at 1:1000 sampling, the wall time of a tick,
// and resident memory with one million tracked hosts (child process, so RSS is its own).
import { runIfMain } from './main.js';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDetectionConfig } from '../src/detect/config.js';
import { Detector } from '../src/detect/detector.js';
import { TimeDriver } from '../src/detect/driver.js';
import type { AttackEvent } from '../src/domain/attack.js';
import type { FlowBatch } from '../src/flow/batch.js';
import { CallbackSink } from '../src/gen/harness.js';
import { ATTACK_SHAPES } from '../src/gen/shapes.js';
import { type AttackSpec, Scenario } from '../src/gen/traffic.js';

const T0 = 1_700_000_000_000;
const here = dirname(fileURLToPath(import.meta.url));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
}

/** ns per record: 2M sampled records to 10 000 hosts (all of them ours), ticks included. */
function countingCost(): Record<string, number> {
  // Thresholds above the traffic: this measures counting, windows, ticks and baselines, not attack reports.
  const det = new Detector(
    parseDetectionConfig({
      networks: ['203.0.113.0/24', '10.0.0.0/16'],
      thresholds: { mode: 'ewma', host: { incoming: { pps: 1e9 } }, prefix: { incoming: { pps: 1e12 } } },
      dynamic: { minPps: 1e9, minBps: 1e15 },
    }),
  );
  // Pre-generate one second (generation is not what we measure) and replay it ten times, shifted in time.
  const hosts = Array.from({ length: 10_000 }, (_, k) => `10.0.${k >> 8}.${k & 255}`);
  const sc = new Scenario({
    seed: 1,
    startMs: T0,
    durationMs: 1000,
    stepMs: 100,
    benign: { hosts, ppsPerHost: 20_000, responseRatio: 0.3 },
    output: { kind: 'sampled', samplingRate: 1000 },
  });
  const gen: { batch: FlowBatch; t: number }[] = [];
  let cur: FlowBatch[] = [];
  const s2 = new CallbackSink((b) => cur.push(cloneBatch(b)), 8192);
  for (const t of sc.steps(s2)) {
    s2.flush();
    for (const b of cur) gen.push({ batch: b, t });
    cur = [];
  }
  let records = 0;
  let ns = 0;
  const drv = new TimeDriver(det);
  for (let rep = 0; rep < 10; rep++) {
    if (rep > 0)
      for (const g of gen) {
        g.t += 1000;
        for (let i = 0; i < g.batch.length; i++) {
          g.batch.startMs[i] = g.batch.startMs[i]! + 1000;
          g.batch.endMs[i] = g.batch.endMs[i]! + 1000;
        }
      }
    const t0 = process.hrtime.bigint();
    for (const g of gen) {
      drv.feed(g.batch, ['bench']);
      drv.advanceTo(g.t);
    }
    ns += Number(process.hrtime.bigint() - t0);
    for (const g of gen) records += g.batch.length;
  }
  if (drv.events.length > 0) throw new Error(`counting bench raised ${drv.events.length} attacks`);
  return { countRecords: records, countNsPerRecord: Math.round((ns / records) * 10) / 10 };
}

function cloneBatch(b: FlowBatch): FlowBatch {
  const c = new (b.constructor as new (n: number) => FlowBatch)(b.length);
  for (const k of Object.keys(b) as (keyof FlowBatch)[]) {
    const v = b[k] as unknown;
    if (ArrayBuffer.isView(v))
      (c[k] as unknown as { set(a: unknown): void }).set(
        (v as Uint8Array).subarray(0, ((v as Uint8Array).length * b.length) / b.capacity),
      );
  }
  c.length = b.length;
  return c;
}

/** Latency of 60 attacks (every family, 5–50× the host threshold) over benign sFlow at 1:1000. */
function latency(): Record<string, number> {
  const families = Object.keys(ATTACK_SHAPES) as AttackSpec['family'][];
  const attacks: AttackSpec[] = [];
  for (let k = 0; k < 60; k++) {
    const factor = 5 + ((k * 37) % 46);
    attacks.push({
      family: families[k % families.length]!,
      target: `203.0.113.${100 + k}`,
      pps: 100_000 * factor,
      startMs: T0 + 5000 + k * 3000 + ((k * 53) % 100),
      durationMs: 2000,
    });
  }
  const det = new Detector(
    parseDetectionConfig({
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: { pps: 100_000 } }, prefix: { incoming: { pps: 1e12 } } },
      quietPeriod: 1,
    }),
  );
  const firstSeen = new Map<number, number>();
  const tickWall: number[] = [];
  const events: AttackEvent[] = [];
  const drv = new TimeDriver(det, (e) => events.push(e));
  const sink = new CallbackSink((b) => {
    for (let i = 0; i < b.length; i++) {
      const a = b.dstAddr[i * 4]!;
      const d = a & 255;
      if (a >>> 8 === 0xcb0071 && d >= 100 && !firstSeen.has(d)) firstSeen.set(d, b.endMs[i]!);
    }
    drv.feed(b, ['bench']);
  });
  const sc = new Scenario({
    seed: 2,
    startMs: T0,
    durationMs: 5000 + 60 * 3000,
    stepMs: 10,
    benign: {
      hosts: Array.from({ length: 90 }, (_, k) => `203.0.113.${k + 1}`),
      ppsPerHost: 20_000,
      responseRatio: 0.5,
    },
    attacks,
    output: { kind: 'sampled', samplingRate: 1000 },
  });
  for (const t of sc.steps(sink)) {
    sink.flush();
    const w0 = process.hrtime.bigint();
    drv.advanceTo(t);
    tickWall.push(Number(process.hrtime.bigint() - w0) / 1e6);
  }
  const lat: number[] = [];
  let named = 0;
  for (const e of events) {
    if (e.kind !== 'start') continue;
    const host = Number(e.target.split('.')[3]!.split('/')[0]);
    const first = firstSeen.get(host);
    if (first === undefined) continue;
    lat.push(e.at - first);
    const spec = attacks[host - 100]!;
    if (e.family === spec.family) named++;
  }
  return {
    latencyAttacks: attacks.length,
    latencyDetected: lat.length,
    latencyNamedCorrectly: named,
    latencyP50Ms: pct(lat, 0.5),
    latencyP99Ms: pct(lat, 0.99),
    latencyMaxMs: Math.max(...lat),
    tickWallP99Ms: Math.round(pct(tickWall, 0.99) * 100) / 100,
  };
}

function memory(): Record<string, number> {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(here, 'detect-memory.ts'), '1000000'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  const m = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
  return {
    memHosts: m.hosts!,
    memRssMB: m.rssMB!,
    memRssDeltaMB: m.rssDeltaMB!,
    memArrayBuffersMB: m.arrayBuffersMB!,
  };
}

export async function run(): Promise<Record<string, number>> {
  return process.env.FG_ONLY_COUNT ? countingCost() : { ...countingCost(), ...latency(), ...memory() };
}

runIfMain(import.meta.url, run);
