// Child process of detect.bench.ts: resident memory of a Detector tracking one million hosts (both
// directions' tables sized for 1M, EWMA baselines on). Prints one JSON line; run alone so RSS is clean.
import { FlowBatch, FORMAT_CODE } from '../src/flow/batch.js';
import { parseDetectionConfig } from '../src/detect/config.js';
import { Detector } from '../src/detect/detector.js';

const HOSTS = Number(process.argv[2] ?? 1_000_000);
const T0 = 1_700_000_000_000;
const rss0 = process.memoryUsage().rss;
const det = new Detector(
  parseDetectionConfig({ networks: ['10.0.0.0/8'], maxHosts: HOSTS, thresholds: { mode: 'ewma' } }),
  { initialCapacity: 4096 },
);
const b = new FlowBatch(8192);
let n = 0;
// 1M distinct destinations in 10.0.0.0/8, sent over 10 s so each bucket holds 100k rows.
for (let t = 0; n < HOSTS; t += 100) {
  det.tick(T0 + t);
  for (let k = 0; k < HOSTS / 100 && n < HOSTS; k++, n++) {
    let i = b.next();
    if (i < 0) {
      det.ingest(b, ['bench']);
      b.reset();
      i = b.next();
    }
    b.family[i] = 4;
    b.dstAddr[i * 4] = (0x0a000000 + n * 7 + 1) >>> 0;
    b.srcAddr[i * 4] = 0xc6336401;
    b.proto[i] = 17;
    b.srcPort[i] = 53;
    b.dstPort[i] = 40000;
    b.packets[i] = 1;
    b.bytes[i] = 512;
    b.samplingRate[i] = 1000;
    b.startMs[i] = b.endMs[i] = T0 + t + 50;
    b.format[i] = FORMAT_CODE.sflow5;
  }
  det.ingest(b, ['bench']);
  b.reset();
}
// Let the window empty: what stays is the per-host state.
for (let t = 0; t <= 3000; t += 100) det.tick(T0 + 10_000 + 1000 + t);
globalThis.gc?.();
const m = process.memoryUsage();
const s = det.stats();
process.stdout.write(
  JSON.stringify({
    hosts: s.hostsIn,
    prefixes: s.prefixesIn,
    rssMB: Math.round(m.rss / 1048576),
    rssDeltaMB: Math.round((m.rss - rss0) / 1048576),
    heapUsedMB: Math.round(m.heapUsed / 1048576),
    arrayBuffersMB: Math.round(m.arrayBuffers / 1048576),
  }) + '\n',
);
