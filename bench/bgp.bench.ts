// BGP speaker benchmarks: UPDATE encoding rate, and the time for 10,000 FlowSpec rules to be fully
// received by a real gobgpd (RIB size polled over gRPC GetTable every 10 ms, so no `gobgp` CLI process
// competes for the CPU while the speaker works). Prints JSON when run directly. Target: < 1 s (issue 15).
import { runIfMain } from './main.js';
import { Bench } from 'tinybench';
import { BgpSpeaker } from '../src/bgp/speaker.js';
import { encodeRule } from '../src/bgp/encode-rule.js';
import { packAnnounce } from '../src/bgp/codec/pack.js';
import { encodeFlowSpecAction, encodeFlowSpecNlri } from '../src/flowspec/index.js';
import type { Rule } from '../src/domain/rule.js';
import { rule } from '../test/support/rules.js';
import * as grpc from '@grpc/grpc-js';
import { loadGobgpProtos } from '../src/adapters/gobgp/proto.js';
import { Gobgpd } from '../test/support/daemons/gobgpd.js';
import { GOBGP_PROTO_DIR } from '../test/e2e/support-gobgp.js';

/** Destinations in gobgpd's global IPv4 FlowSpec table (one cheap unary gRPC call). */
type Unary = (req: unknown, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;
function tableSize(client: grpc.Client): Promise<number> {
  const getTable = (client as unknown as Record<string, Unary>).GetTable as Unary;
  const req = { table_type: 'GLOBAL', family: { afi: 'AFI_IP', safi: 'SAFI_FLOW_SPEC_UNICAST' } };
  return new Promise((resolve, reject) => {
    getTable.call(client, req, (err, res) =>
      err ? reject(err) : resolve(Number((res as { num_destination?: string }).num_destination ?? 0)),
    );
  });
}

/** A drop of one UDP port to one host of 198.18.0.0/15 (RFC 2544 benchmarking space). */
function mkRule(i: number): Rule {
  const text = `flow4 dst 198.18.${(i >> 8) & 255}.${i & 255}/32 proto =17 dport =${1 + (i % 60000)}`;
  return rule(`b${i}`, 'drop', text, {
    tenant: 'bench',
    level: 2,
    origin: 'auto',
    reason: 'bench',
    expiresAt: 0,
  });
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const rules = Array.from({ length: 10_000 }, (_, i) => mkRule(i));
  const nlri = rules.map((r) => encodeFlowSpecNlri(r.match));
  const ext = [encodeFlowSpecAction({ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 })];
  const attrs = {
    origin: 0 as const,
    asPath: [{ type: 2 as const, asns: [65030] }],
    extendedCommunities: ext,
  };
  let messages = 0;
  const bench = new Bench({ time: 1000 });
  bench
    .add('single-rule UPDATE (render + encode)', () => {
      encodeRule(rules[messages++ % rules.length] as Rule);
    })
    .add('10k FlowSpec NLRIs packed into 4096-byte UPDATEs', () => {
      packAnnounce({ afi: 1, safi: 133, attributes: attrs, nlri }, 4096, { fourOctetAs: true });
    });
  await bench.run();
  const single = bench.tasks[0]?.result;
  const packed = bench.tasks[1]?.result;
  const perPack = packAnnounce({ afi: 1, safi: 133, attributes: attrs, nlri }, 4096, {
    fourOctetAs: true,
  }).length;
  if (single && 'throughput' in single && single.throughput)
    out.singleRuleUpdatesPerSecond = Math.round(single.throughput.mean);
  if (packed && 'throughput' in packed && packed.throughput) {
    out.batchedUpdatesPerSecond = Math.round(packed.throughput.mean * perPack);
    out.batchedRulesPerSecond = Math.round(packed.throughput.mean * nlri.length);
  }
  out.updatesFor10kRules = perPack;

  // 10,000 FlowSpec rules into a real gobgpd
  const g = new Gobgpd({
    address: '127.0.30.22',
    asn: 65022,
    grpcPort: 50102,
    peerAddress: '127.0.30.1',
    peerAs: 65030,
    families: ['ipv4-flowspec'],
  });
  await g.start();
  const sp = new BgpSpeaker({
    routerId: '10.30.0.1',
    localAs: 65030,
    peers: [
      {
        address: '127.0.30.22',
        port: 1179,
        localAddress: '127.0.30.1',
        remoteAs: 65022,
        families: ['ipv4-flowspec'],
        connectRetrySeconds: 0.2,
      },
    ],
  });
  try {
    await sp.start();
    await g.waitEstablished();
    const protos = loadGobgpProtos(GOBGP_PROTO_DIR);
    const client = new protos.GobgpApi('127.0.0.1:50102', grpc.credentials.createInsecure());
    try {
      await tableSize(client); // connect before the clock starts
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const r of rules) sp.upsertRule(r);
      const queued = performance.now();
      await sp.flushed();
      const flushed = performance.now();
      const cpuSpeaker = process.cpuUsage(cpu0);
      for (;;) {
        if ((await tableSize(client)) >= rules.length) break;
        if (performance.now() - t0 > 120_000) throw new Error('gobgpd did not receive 10,000 rules in 120 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      out.gobgpd10kRulesReceivedMs = Math.round(performance.now() - t0);
      out.speaker10kRulesQueuedMs = Math.round(queued - t0);
      out.speaker10kRulesWrittenMs = Math.round(flushed - t0);
      out.speaker10kRulesCpuMs = Math.round((cpuSpeaker.user + cpuSpeaker.system) / 1000);
      out.gobgpd10kUpdatesSent = sp.peersSnapshot()[0]?.counters.updatesOut ?? 0;
    } finally {
      client.close();
    }
  } finally {
    await sp.stop();
    await g.close();
  }
  return out;
}

runIfMain(import.meta.url, run);
