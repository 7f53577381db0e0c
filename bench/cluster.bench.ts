// Scale-out data path (issue 16, docs/scale-out.md): aggregate records/s that reach the detectors through
// NATS JetStream vs the number of collectors. A real nats-server (JetStream, file storage) on 127.42.0.90;
// 1, 2 and 4 collector processes (bench/cluster-publisher.ts) publish for a fixed time; two detector-side
// consumers in this process (FlowConsumer, 8 shards split 4/4, records counted and dropped) acknowledge.
// Figures: records/s consumed, records/s offered by the collectors before pre-aggregation, and drops.
// On this 2-core shared box the collectors, the server and the consumers share the same cores, so the
// figure shows the cost of the path, not the scaling of real machines.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clusterSchema } from '../src/cluster/config.js';
import { FlowConsumer } from '../src/cluster/flow-consumer.js';
import { openLink } from '../src/cluster/jetstream.js';
import { startNats } from '../test/cluster/support.js';

const HOST = '127.42.0.90';
const SECONDS = 10;

function publisher(server: string, node: string): Promise<{ recordsIn: number; droppedRecords: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'cluster-publisher.ts'), server, String(SECONDS), node],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      try {
        resolve(
          JSON.parse(out.trim().split('\n').pop() ?? '') as { recordsIn: number; droppedRecords: number },
        );
      } catch {
        reject(new Error(`publisher exited ${code}: ${out}`));
      }
    }),
  );
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const collectors of [1, 2, 4]) {
    const nats = await startNats(HOST, 14290, 18290);
    try {
      const server = `${HOST}:14290`;
      const c = clusterSchema.parse({ role: 'detector', nats: { servers: [server], shards: 8 } });
      const links = [await openLink(c, 'bench-d1'), await openLink(c, 'bench-d2')];
      let records = 0;
      const consumers = links.map((l) => new FlowConsumer(l, c, (b) => void (records += b.length), 10_000));
      for (let s = 0; s < 8; s++) await consumers[s % 2]!.start(s);
      const t0 = performance.now();
      const stats = await Promise.all(
        Array.from({ length: collectors }, (_, i) => publisher(server, `collector-${i + 1}`)),
      );
      // drain what is still in the stream
      let last = -1;
      while (records !== last) {
        last = records;
        await new Promise((r) => setTimeout(r, 500));
      }
      const dt = (performance.now() - t0) / 1000 - 0.5;
      for (const k of consumers) await k.stopAll();
      for (const l of links) await l.nc.drain();
      const offered = stats.reduce((a, s) => a + s.recordsIn, 0);
      out[`collectors_${collectors}_records_per_s`] = Math.round(records / dt);
      out[`collectors_${collectors}_offered_records_per_s`] = Math.round(offered / dt);
      out[`collectors_${collectors}_dropped_records`] = stats.reduce((a, s) => a + s.droppedRecords, 0);
    } finally {
      await nats.stop();
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
