// One collector for bench/cluster.bench.ts, as its own process: decoded sFlow-like records (IPv4 UDP flood
// samples over 4096 destination hosts, 1:1000) pushed through the collector role's FlowPublisher (shards,
// pre-aggregation, acknowledged JetStream publishes) as fast as acknowledgements allow, for a fixed time.
// Prints one JSON line with its publisher counters. Args: <nats server> <seconds> <node name>
import { clusterSchema } from '../src/cluster/config.js';
import { FlowPublisher } from '../src/cluster/flow-publisher.js';
import { openLink } from '../src/cluster/jetstream.js';
import { FlowBatch } from '../src/flow/batch.js';
import type { ExporterState } from '../src/flow/exporter.js';

const [server, seconds, node] = process.argv.slice(2) as [string, string, string];
const c = clusterSchema.parse({ role: 'collector', nats: { servers: [server], shards: 8, maxInFlight: 64 } });
const link = await openLink(c, `bench-${node}`);
const pub = new FlowPublisher(link, c, { warn: () => undefined });
pub.start();
const batch = new FlowBatch(1024);
const exporters = [{ node } as ExporterState];
let seq = 0;
const until = Date.now() + Number(seconds) * 1000;
while (Date.now() < until) {
  batch.reset();
  const now = Date.now();
  for (let k = 0; k < 1024; k++) {
    const i = batch.next();
    const n = seq++;
    batch.family[i] = 4;
    batch.dstAddr[i * 4] = ((203 << 24) | (((n >> 8) & 15) << 8) | (n & 255)) >>> 0;
    batch.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | ((n * 7919) % 65536)) >>> 0;
    batch.proto[i] = 17;
    batch.srcPort[i] = 1024 + (n % 60000);
    batch.dstPort[i] = 27015;
    batch.packets[i] = 1;
    batch.bytes[i] = 512;
    batch.samplingRate[i] = 1000;
    batch.format[i] = 3;
    batch.startMs[i] = batch.endMs[i] = now;
  }
  pub.push(batch, exporters);
  // yield so acknowledgements come back; keep room for one flush of every shard (a full window drops)
  await new Promise((r) => setImmediate(r));
  while (pub.stats.inFlight > c.nats.maxInFlight - c.nats.shards - 1)
    await new Promise((r) => setTimeout(r, 1));
}
await pub.stop();
process.stdout.write(JSON.stringify(pub.stats) + '\n');
await link.nc.drain();
