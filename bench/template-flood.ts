// Child process of flow-templates.bench.ts (run alone so RSS is clean): a real FlowCollector with the default
// flow.limits on 127.11.0.1 is flooded over loopback UDP by many sources with NetFlow v9 and IPFIX template
// datagrams — 16,000-field templates (the issue 19 attack), datagrams of ~60 legal templates with new ids and
// new field lists, options templates, and data sets for templates never sent — and RSS is sampled after every
// round; then SPOOFED more sources than the exporter table holds. Bounded: SOURCES × ROUNDS × 4 + SPOOFED × 2
// datagrams. Prints one JSON line.
import { createSocket, type Socket } from 'node:dgram';
import { getHeapStatistics } from 'node:v8';
import { FlowCollector } from '../src/flow/collector.js';

const SOURCES = Number(process.argv[2] ?? 256);
const ROUNDS = Number(process.argv[3] ?? 16);
const HOST = '127.11.0.1';

let seed = 12345;
const rnd = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;

function header(v9: boolean, body: number, seq: number, domain: number): Buffer {
  const h = Buffer.alloc(v9 ? 20 : 16);
  if (v9) {
    h.writeUInt16BE(9, 0);
    h.writeUInt16BE(1, 2);
    h.writeUInt32BE(1000, 4);
    h.writeUInt32BE(Math.floor(Date.now() / 1000), 8);
    h.writeUInt32BE(seq, 12);
    h.writeUInt32BE(domain, 16);
  } else {
    h.writeUInt16BE(10, 0);
    h.writeUInt16BE(16 + body, 2);
    h.writeUInt32BE(Math.floor(Date.now() / 1000), 4);
    h.writeUInt32BE(seq, 8);
    h.writeUInt32BE(domain, 12);
  }
  return h;
}

/** A template set: `count` templates of `fields` random fields each, ids from `firstId`. */
function templateSet(v9: boolean, firstId: number, count: number, fields: number, options: boolean): Buffer {
  const recs: Buffer[] = [];
  for (let t = 0; t < count; t++) {
    const r = Buffer.alloc((options ? 6 : 4) + fields * 4);
    r.writeUInt16BE(256 + ((firstId + t) % 65000), 0);
    r.writeUInt16BE(options && v9 ? 4 : fields, 2);
    let o = 4;
    if (options) {
      r.writeUInt16BE(v9 ? (fields - 1) * 4 : 1, 4);
      o = 6;
    }
    for (let f = 0; f < fields; f++, o += 4) {
      r.writeUInt16BE(1 + rnd(400), o);
      r.writeUInt16BE([1, 2, 4, 8][rnd(4)]!, o + 2);
    }
    recs.push(r);
  }
  const body = Buffer.concat(recs);
  const set = Buffer.alloc(4);
  set.writeUInt16BE(options ? (v9 ? 1 : 3) : v9 ? 0 : 2, 0);
  set.writeUInt16BE(4 + body.length, 2);
  return Buffer.concat([set, body]);
}

function datagram(v9: boolean, sets: Buffer[], seq: number, domain: number): Buffer {
  const body = Buffer.concat(sets);
  return Buffer.concat([header(v9, body.length, seq, domain), body]);
}

function dataSets(): Buffer {
  const sets: Buffer[] = [];
  for (let k = 0; k < 30; k++) {
    const s = Buffer.alloc(1500);
    s.writeUInt16BE(40000 + rnd(20000), 0);
    s.writeUInt16BE(1500, 2);
    sets.push(s);
  }
  return Buffer.concat(sets);
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

const collector = new FlowCollector({ listen: [{ address: HOST, port: 0 }], onBatch: () => undefined });
const [bound] = await collector.start();
const senders: Socket[] = [];
for (let s = 0; s < SOURCES; s++) {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, `127.11.${1 + (s >> 8)}.${s & 255}`, () => r()));
  senders.push(sock);
}

globalThis.gc?.();
const rssBefore = mb(process.memoryUsage().rss);
const t0 = performance.now();
const rss: number[] = [];
const heap: number[] = [];
let sent = 0;
let nextId = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (let s = 0; s < SOURCES; s++) {
    const v9 = (s + round) % 2 === 0;
    const batch = [
      // the attack from the issue: one 16,000-field template (64 KB) with a new id
      datagram(v9, [templateSet(v9, nextId++, 1, 16_000, false)], sent, 0),
      // ~60 KB of legal templates: new ids, new field lists
      datagram(v9, [templateSet(v9, (nextId += 60), 60, 250, false)], sent + 1, 0),
      datagram(v9, [templateSet(v9, (nextId += 40), 40, 100, true)], sent + 2, 1),
      datagram(v9, [dataSets()], sent + 3, rnd(4)),
    ];
    for (const d of batch) {
      senders[s]!.send(d, bound!.port, HOST);
      sent++;
    }
    // pace: let the collector keep up (receive buffer 4 MiB), so the flood is decoded rather than dropped
    if (s % 8 === 7) {
      const deadline = Date.now() + 2000;
      while (collector.datagrams < sent - 16 && Date.now() < deadline)
        await new Promise((r) => setImmediate(r));
    }
  }
  const until = Date.now() + 3000;
  while (collector.datagrams < sent && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
  globalThis.gc?.();
  const m = process.memoryUsage();
  rss.push(mb(m.rss));
  heap.push(mb(m.heapUsed));
}
const seconds = (performance.now() - t0) / 1000;

// Phase 2: spoofed sources, far more than the exporter table holds (fed to ingest() as the socket handler
// would, on a clock advancing 50 ms per source so that idle exporters are evicted and replaced).
const SPOOFED = Number(process.argv[4] ?? 20_000);
let fake = Date.now();
const spoofedRss: number[] = [];
for (let k = 0; k < SPOOFED; k++) {
  fake += 50;
  const v9 = k % 2 === 0;
  const addr = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
  collector.ingest(datagram(v9, [templateSet(v9, (nextId += 40), 40, 100, false)], k, 0), addr, fake);
  collector.ingest(datagram(v9, [dataSets()], k + 1, 0), addr, fake);
  if (k % 256 === 255) await new Promise((r) => setImmediate(r));
  if (k % 3000 === 2999) {
    globalThis.gc?.();
    spoofedRss.push(mb(process.memoryUsage().rss));
  }
}
globalThis.gc?.();
const rssAfterSpoofed = mb(process.memoryUsage().rss);
const heapAfterSpoofed = mb(process.memoryUsage().heapUsed);
const s = collector.stats();
const sum = (k: keyof typeof s.errors) => s.errors[k];
await collector.stop();
for (const sock of senders) sock.close();
const half = Math.floor(ROUNDS / 2);
process.stdout.write(
  JSON.stringify({
    sources: SOURCES,
    rounds: ROUNDS,
    datagramsSent: sent,
    datagramsDecoded: s.datagrams,
    floodMB: Math.round(((sent / 4) * (64_028 + 60_020 + 16_020 + 45_020)) / 1048576),
    seconds: Math.round(seconds * 10) / 10,
    heapLimitMB: mb(getHeapStatistics().heap_size_limit),
    rssBeforeMB: rssBefore,
    rssFirstRoundMB: rss[0],
    rssMidMB: rss[half],
    rssLastMB: rss.at(-1),
    rssPeakMB: Math.max(...rss),
    heapUsedPeakMB: Math.max(...heap),
    rssGrowthSecondHalfMB: Math.round((rss.at(-1)! - rss[half]!) * 10) / 10,
    rssSeriesMB: rss,
    spoofedSources: SPOOFED,
    rssAfterSpoofedMB: rssAfterSpoofed,
    rssSpoofedSeriesMB: spoofedRss,
    heapTotalAfterSpoofedMB: mb(process.memoryUsage().heapTotal),
    heapUsedAfterSpoofedMB: heapAfterSpoofed,
    exporters: s.exporters.length,
    exportersEvicted: s.exportersEvicted,
    exportersRefused: s.exporterLimit,
    templatesHeld: s.held.templates,
    templateKBHeld: Math.round(s.held.templateBytes / 1024),
    pendingKBHeld: Math.round(s.held.pendingBytes / 1024),
    shapesCached: s.shapes.shapes,
    refusedTooLarge: sum('template-too-large'),
    refusedPerExporter: sum('template-limit'),
    refusedTotal: sum('template-budget'),
    pendingOverflow: sum('pending-overflow'),
  }) + '\n',
);
process.exit(0);
