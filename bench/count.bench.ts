// Per-record accounting (issue 15): CPU ns per record for counting + windowing on one core — the detector's
// ingest path and the window's bucket expiry (CountWindow.ingest + advance), then the same input
// through Detector with its ticks (threshold checks of every active target, baselines learnt once a
// second). Input is pre-generated in memory, record time (no clock, no sockets): NetFlow v9-like
// records (1 s flows, unsampled) and sFlow-like samples (1:1000), both directions, TCP/UDP/ICMP mix,
// fed in batches of 512 records with the window advanced every 100 ms of record time. Thresholds are
// far above the traffic, so (since issue 15) no record keeps a row; `sflow10kHosts.allRowsNsPerRecord`
// is the same input with a row for every record (rowShare 0), what records of attacked targets cost.
// `netflowFlood16Hosts`: runs of 27 records (one datagram) to the same host, 16 hosts.
// `sflowFlood16Hosts`: runs of 7 samples (one sFlow datagram) to the same host, 16 hosts, in the two
// packet shapes of the repository's sfprobe capture (UDP 1228 bytes from NTP, TCP SYN 40 bytes).
// Run: npx tsx bench/count.bench.ts (prints JSON), or `npm run bench -- count`.
import { runIfMain } from './main.js';
import { parseDetectionConfig } from '../src/detect/config.js';
import { Detector } from '../src/detect/detector.js';
import { CountWindow } from '../src/detect/window.js';
import { FlowBatch, FORMAT_CODE } from '../src/flow/batch.js';

const T0 = 1_700_000_000_000;

/** CPU time of this process in ns (user + system): on a shared machine it moves far less than wall time. */
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const BATCH = 512;

interface Input {
  batches: FlowBatch[];
  /** Record time each batch is fed at (the window is advanced to it first). */
  at: number[];
  records: number;
}

/**
 * `perSecond` records per second of record time for `seconds`, to `hosts` hosts of 10.0.0.0/16
 * (70 % incoming, 30 % outgoing), with a skewed host popularity (a few busy hosts, a long tail);
 * `run` consecutive records share their local host and direction (a flood: a NetFlow v9 datagram of
 * softflowd carries ~27 records, mostly of the same victim).
 */
function generate(
  kind: 'netflow' | 'sflow',
  hosts: number,
  perSecond: number,
  seconds: number,
  run = 1,
  /** Two packet shapes only (a flood's), not the mix. */
  flood = false,
): Input {
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const batches: FlowBatch[] = [];
  const at: number[] = [];
  const total = perSecond * seconds;
  let b = new FlowBatch(BATCH);
  let host = 0;
  let incoming = true;
  for (let n = 0; n < total; n++) {
    const t = T0 + (n / perSecond) * 1000;
    if (b.length === BATCH) {
      batches.push(b);
      at.push(t);
      b = new FlowBatch(BATCH);
    }
    const i = b.next();
    // (random draws in the order of the inputs before `run` existed)
    const first = n % run === 0;
    if (first) host = (0x0a000000 + 1 + Math.floor(hosts * rnd() ** 2)) >>> 0;
    const remote = (0xc6336400 + Math.floor(rnd() * 4096)) >>> 0;
    if (first) incoming = rnd() < 0.7;
    b.family[i] = 4;
    b.dstAddr[i * 4] = incoming ? host : remote;
    b.srcAddr[i * 4] = incoming ? remote : host;
    const r = rnd();
    const proto = flood ? (r < 0.5 ? 17 : 6) : r < 0.6 ? 6 : r < 0.95 ? 17 : 1;
    b.proto[i] = proto;
    b.srcPort[i] =
      flood && proto === 17 ? 123 : proto === 17 && r > 0.9 ? 53 : 1024 + Math.floor(rnd() * 60000);
    b.dstPort[i] = proto === 6 ? 443 : 40000;
    b.tcpFlags[i] = proto === 6 ? (flood || r < 0.1 ? 0x02 : 0x18) : 0;
    if (kind === 'netflow') {
      b.packets[i] = 1 + Math.floor(rnd() * 20);
      b.bytes[i] = b.packets[i]! * (64 + Math.floor(rnd() * 1400));
      b.samplingRate[i] = 1;
      b.startMs[i] = t - 1000;
      b.endMs[i] = t;
      b.format[i] = FORMAT_CODE.netflow9;
    } else {
      b.packets[i] = 1;
      b.bytes[i] = flood ? (proto === 17 ? 1228 : 40) : 64 + Math.floor(rnd() * 1400);
      b.samplingRate[i] = 1000;
      b.startMs[i] = b.endMs[i] = t;
      b.format[i] = FORMAT_CODE.sflow5;
    }
  }
  if (b.length > 0) {
    batches.push(b);
    at.push(T0 + seconds * 1000);
  }
  return { batches, at, records: total };
}

const CFG = {
  networks: ['10.0.0.0/16'],
  // Thresholds above the traffic: this measures accounting, not attack reports.
  thresholds: { host: { incoming: { pps: 1e12 } }, prefix: { incoming: { pps: 1e13 } } },
};

/**
 * Bytes held by the window's buckets: every typed array reachable from its rows, row part references
 * and (since issue 15) per-target bucket aggregates; the older code had only the first two.
 */
function bucketBytes(w: CountWindow): number {
  const own = (w as unknown as { bucketBytes?: () => number }).bucketBytes;
  if (own) return own.call(w);
  let n = 0;
  const walk = (o: object) => {
    for (const v of Object.values(o)) {
      if (ArrayBuffer.isView(v)) n += v.byteLength;
      else if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as object);
    }
  };
  for (const st of w.stores) walk(st);
  return n;
}

/** Peak memory of the window's buckets in the last countOnly run (MB). */
let windowPeakMB = 0;
/** ns per record of the second pass in the last countOnly run (every target known, columns grown). */
let steadyNs = 0;

/** Moves every record and feed time of the input by ms (the second pass replays the first, later). */
function shiftInput(input: Input, ms: number): void {
  for (const b of input.batches)
    for (let i = 0; i < b.length; i++) {
      b.startMs[i] = (b.startMs[i] as number) + ms;
      b.endMs[i] = (b.endMs[i] as number) + ms;
    }
  for (let k = 0; k < input.at.length; k++) input.at[k] = (input.at[k] as number) + ms;
}

/**
 * ns per record of counting + windowing alone, from a new window: every target is new at first (its
 * table slot, counter columns and bucket maps are made then). Then the same input again, moved on by
 * its own length, into the same window: `steadyNs`, the cost once the targets are known, as in a
 * window that has run for a while (targets stay for idleEvictSeconds, 10 minutes by default).
 */
function countOnly(input: Input, reps: number, extra: Record<string, unknown> = {}): number {
  let best = Infinity;
  let bestSteady = Infinity;
  windowPeakMB = 0;
  const span = (input.at[input.at.length - 1] as number) - T0 + 100;
  for (let rep = 0; rep < reps; rep++) {
    const w = new CountWindow(parseDetectionConfig({ ...CFG, ...extra }));
    let nextTick = T0;
    let peak = 0;
    const pass = (): void => {
      for (let k = 0; k < input.batches.length; k++) {
        const t = input.at[k]!;
        while (t >= nextTick) {
          w.advance((nextTick += 100));
          // once a second of record time (cheap enough not to show in the figure)
          if (nextTick % 1000 === 0) peak = Math.max(peak, bucketBytes(w));
        }
        w.ingest(input.batches[k]!, ['bench']);
      }
    };
    const t0 = cpuNs();
    pass();
    const t1 = cpuNs();
    shiftInput(input, span);
    try {
      pass();
      w.advance(nextTick + 2000); // the whole window leaves: every bucket is subtracted
    } finally {
      shiftInput(input, -span);
    }
    const t2 = cpuNs();
    windowPeakMB = Math.max(windowPeakMB, Math.round(peak / 1048576));
    if (w.stats.records !== 2 * input.records) throw new Error('count bench: records lost');
    best = Math.min(best, (t1 - t0) / input.records);
    bestSteady = Math.min(bestSteady, (t2 - t1) / input.records);
  }
  steadyNs = Math.round(bestSteady * 10) / 10;
  return Math.round(best * 10) / 10;
}

/** ns per record through Detector with its 100 ms ticks (threshold checks, baselines). */
function withTicks(input: Input, reps: number): number {
  let best = Infinity;
  for (let rep = 0; rep < reps; rep++) {
    const det = new Detector(parseDetectionConfig(CFG));
    let nextTick = T0;
    let events = 0;
    const t0 = cpuNs();
    for (let k = 0; k < input.batches.length; k++) {
      const t = input.at[k]!;
      while (t >= nextTick) events += det.tick((nextTick += 100)).length;
      det.ingest(input.batches[k]!, ['bench']);
    }
    for (let j = 0; j < 20; j++) events += det.tick((nextTick += 100)).length;
    const ns = (cpuNs() - t0) / input.records;
    if (events > 0) throw new Error(`count bench raised ${events} events`);
    best = Math.min(best, ns);
  }
  return Math.round(best * 10) / 10;
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  // 2 s at 1M records/s of record time to 10 000 hosts, and at 300k/s to 50 000 hosts (sparser)
  const cases = [
    { name: 'netflow10kHosts', input: generate('netflow', 10_000, 1_000_000, 2) },
    { name: 'sflow10kHosts', input: generate('sflow', 10_000, 1_000_000, 2) },
    { name: 'sflow50kHosts', input: generate('sflow', 50_000, 300_000, 2) },
    // a flood: NetFlow v9 datagrams of 27 records to one of 16 hosts (the softflowd replay)
    { name: 'netflowFlood16Hosts', input: generate('netflow', 16, 1_000_000, 2, 27) },
    { name: 'sflowFlood16Hosts', input: generate('sflow', 16, 1_000_000, 2, 7, true) },
  ];
  const reps = Number(process.env.FG_COUNT_REPS ?? 3);
  const only = process.env.FG_COUNT_ONLY;
  for (const c of cases) {
    if (only && !c.name.startsWith(only)) continue;
    out[`${c.name}.countNsPerRecord`] = countOnly(c.input, reps);
    out[`${c.name}.steadyCountNsPerRecord`] = steadyNs;
    out[`${c.name}.windowPeakMB`] = windowPeakMB;
    // rowShare is unknown to the code before issue 15 (every record kept a row there)
    if (c.name === 'sflow10kHosts' && 'rowShare' in parseDetectionConfig(CFG)) {
      out[`${c.name}.allRowsNsPerRecord`] = countOnly(c.input, reps, { rowShare: 0 });
      out[`${c.name}.allRowsWindowPeakMB`] = windowPeakMB;
    }
    if (!process.env.FG_COUNT_NO_TICKS) out[`${c.name}.withTicksNsPerRecord`] = withTicks(c.input, reps);
  }
  return out;
}

runIfMain(import.meta.url, run);
