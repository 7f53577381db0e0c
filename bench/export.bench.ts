// Export isolation benchmark: a slow or dead export endpoint must not slow detection or event publishing.
// Runs the same loop twice in this process — every 10 ms a detector ingests 4096 records and ticks, and
// 20 operational events are published on the bus — first with no sink, then with six sinks whose
// endpoints never answer (HTTP servers that accept and stay silent, a TCP syslog that never reads, a
// refused Kafka port). Prints publish latency and tick time percentiles for both runs, and what the
// sinks dropped. Loopback 127.15.0.50 only.
import { createServer as createHttp, type Server } from 'node:http';
import net from 'node:net';
import { parseDetectionConfig } from '../src/detect/config.js';
import { Detector } from '../src/detect/detector.js';
import type { AttackEvent } from '../src/domain/attack.js';
import { EventBus } from '../src/domain/events.js';
import { exportsConfigSchema } from '../src/export/config.js';
import { ExportManager } from '../src/export/manager.js';
import { FloodgateMetrics } from '../src/export/metrics.js';
import { FlowBatch } from '../src/flow/batch.js';

const HOST = '127.15.0.50';
const TICK_MS = 10;
const RUN_MS = 4000;
/** Iterations left out of the figures (JIT, table growth). */
const WARMUP = 20;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function batch(now: number): FlowBatch {
  const b = new FlowBatch(4096);
  for (let n = 0; n < 4096; n++) {
    const i = b.next();
    b.family[i] = 4;
    b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | (n & 255)) >>> 0;
    b.dstAddr[i * 4] = ((203 << 24) | (0 << 16) | (113 << 8) | (n % 200)) >>> 0;
    b.proto[i] = 17;
    b.srcPort[i] = 1024 + n;
    b.dstPort[i] = 443;
    b.packets[i] = 1;
    b.bytes[i] = 800;
    b.samplingRate[i] = 1000;
    b.startMs[i] = b.endMs[i] = now;
  }
  return b;
}

const event = (n: number): AttackEvent => ({
  attackId: `bench-${n}`,
  kind: 'update',
  target: '203.0.113.5/32',
  direction: 'incoming',
  family: 'udp_flood',
  reason: 'bench',
  node: 'bench',
  hostGroup: 'default',
  at: Date.now(),
  startedAt: Date.now(),
  pps: 1e6,
  bps: 8e9,
  peakPps: 1e6,
  peakBps: 8e9,
  severity: 3,
  signature: { sourcePrefixes: ['198.51.100.0/24'], coverage: 1 },
});

async function loop(bus: EventBus): Promise<{ publishUs: number[]; tickMs: number[] }> {
  const det = new Detector(
    parseDetectionConfig({ networks: ['203.0.113.0/24'], thresholds: { host: { incoming: { pps: 1e12 } } } }),
  );
  const publishUs: number[] = [];
  const tickMs: number[] = [];
  const end = Date.now() + RUN_MS;
  let n = 0;
  let iteration = 0;
  while (Date.now() < end) {
    const warm = iteration++ >= WARMUP;
    const now = Date.now();
    const b = batch(now);
    const t0 = performance.now();
    det.ingest(b, ['bench']);
    det.tick(now);
    if (warm) tickMs.push(performance.now() - t0);
    for (let k = 0; k < 20; k++) {
      const e = event(n++);
      const p0 = performance.now();
      bus.publish({ type: 'attack', at: e.at, event: e });
      if (warm) publishUs.push((performance.now() - p0) * 1000);
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  return { publishUs, tickMs };
}

async function listen(s: Server | net.Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, HOST, () => r()));
  return (s.address() as net.AddressInfo).port;
}

export async function run(): Promise<Record<string, number>> {
  // endpoints that accept and never answer
  const held: net.Socket[] = [];
  const http = createHttp(() => undefined);
  http.on('connection', (c) => held.push(c));
  const httpPort = await listen(http);
  const tcp = net.createServer((c) => {
    held.push(c);
    c.pause(); // never read: the sender's writes pile up until its deadline
  });
  const tcpPort = await listen(tcp);
  const url = `http://${HOST}:${httpPort}`;
  const queue = {
    capacity: 2000,
    batchSize: 100,
    flushMs: 50,
    backoffMs: 100,
    maxBackoffMs: 1000,
    timeoutMs: 1000,
  };
  const cfg = exportsConfigSchema.parse({
    syslog: [
      { name: 'tcp', host: HOST, port: tcpPort, transport: 'tcp', queue },
      { name: 'udp', host: HOST, port: 9, transport: 'udp', queue },
    ],
    splunk: [{ url, token: 't', queue }],
    elastic: [{ url, queue }],
    sentinel: [
      {
        tenantId: 't',
        clientId: 'c',
        clientSecret: 's',
        authorityUrl: url,
        endpoint: url,
        ruleId: 'dcr-1',
        queue,
      },
    ],
    kafka: [{ brokers: [`${HOST}:1`], queue }],
  });

  const metrics = new FloodgateMetrics({ topTalkers: 0, processMetrics: false });
  const bare = new EventBus();
  bare.subscribe((e) => metrics.onEvent(e));
  const base = await loop(bare);

  const bus = new EventBus();
  bus.subscribe((e) => metrics.onEvent(e));
  const manager = await ExportManager.create(cfg, { node: 'bench' });
  manager.attach(bus);
  const dead = await loop(bus);
  const stats = manager.stats();
  await manager.close(100);
  for (const c of held) c.destroy();
  http.close();
  tcp.close();

  const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((a, s) => a + f(s), 0);
  return {
    events: base.publishUs.length,
    publishP50UsNoSink: r3(pct(base.publishUs, 0.5)),
    publishP99UsNoSink: r3(pct(base.publishUs, 0.99)),
    publishP50UsDeadSinks: r3(pct(dead.publishUs, 0.5)),
    publishP99UsDeadSinks: r3(pct(dead.publishUs, 0.99)),
    tickP50MsNoSink: r3(pct(base.tickMs, 0.5)),
    tickP90MsNoSink: r3(pct(base.tickMs, 0.9)),
    tickP99MsNoSink: r3(pct(base.tickMs, 0.99)),
    tickP50MsDeadSinks: r3(pct(dead.tickMs, 0.5)),
    tickP90MsDeadSinks: r3(pct(dead.tickMs, 0.9)),
    tickP99MsDeadSinks: r3(pct(dead.tickMs, 0.99)),
    deadSinks: stats.length,
    sinkEventsSent: sum((s) => s.sent),
    sinkEventsDropped: sum((s) => s.dropped),
    sinkEventsDeadLettered: sum((s) => s.deadLettered),
    sinkFailures: sum((s) => s.failures),
  };
}
