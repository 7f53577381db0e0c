// Issue 10 item 5: the precise rules the engine makes — a SYN flood with tcp-flags SYN without ACK and
// packet length, a DNS amplification with source port and packet length — reach a real gobgpd's RIB
// with every component and operator intact, both from the native speaker (BGP UPDATE, RFC 8955) and
// through the GoBGP adapter (gRPC AddPath). Addresses 127.13.0.x; gobgpd gRPC on 127.0.0.1:51313.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GobgpAdapter } from '../../src/adapters/gobgp/adapter.js';
import { gobgpConfigSchema } from '../../src/adapters/config-daemons.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import type { Rule } from '../../src/domain/rule.js';
import { formatFlowSpec } from '../../src/flowspec/index.js';
import { PROTO_DIR } from '../support/daemons/gobgpd.js';
import { engineRule } from '../mitigation/family-rules.js';
import { waitFor } from '../support/wait.js';
import { freeTcpPort } from '../e2e/support-sflow.js';
import { Gobgpd, type GobgpPath } from '../support/daemons/gobgpd.js';
import { gobgpActions, gobgpMatch } from './helpers/gobgp-view.js';

const GOBGPD = '127.13.0.2';
const SPEAKER = '127.13.0.1';
let GRPC = 0; // a free port, found before gobgpd starts (a fixed one can be an ephemeral port in use)

let g: Gobgpd;
let sp: BgpSpeaker;

/** The engine's rule for `family`, moved to another host of the documentation range. */
function ruleOn(family: 'syn_flood' | 'dns_amplification', host: string, id: string): Rule {
  const r = engineRule(family);
  const target = `${host}/32`;
  return { ...r, id, target, match: { ...r.match, destination: { prefix: target } } };
}

async function holds(rules: readonly Rule[]): Promise<GobgpPath[]> {
  return waitFor('gobgpd holds the precise rules', async () => {
    const rib = await g.rib('ipv4-flowspec');
    const paths = Object.values(rib).map((p) => p[0] as GobgpPath);
    const found = rules.map((r) =>
      paths.find((p) => formatFlowSpec(gobgpMatch(p, 4)) === formatFlowSpec(r.match)),
    );
    return found.every((p) => p !== undefined) ? (found as GobgpPath[]) : undefined;
  });
}

beforeAll(async () => {
  GRPC = await freeTcpPort('127.0.0.1');
  g = new Gobgpd({ address: GOBGPD, asn: 65002, grpcPort: GRPC, peerAddress: SPEAKER, peerAs: 65013 });
  await g.start();
  sp = new BgpSpeaker({
    routerId: '10.13.0.1',
    localAs: 65013,
    peers: [
      {
        name: 'gobgpd',
        address: GOBGPD,
        port: 1179,
        localAddress: SPEAKER,
        remoteAs: 65002,
        families: ['ipv4-flowspec'],
        connectRetrySeconds: 0.2,
      },
    ],
  });
  await sp.start();
  await g.waitEstablished();
}, 60_000);

afterAll(async () => {
  await sp?.stop();
  await g?.close();
});

describe('precise FlowSpec rules in a real gobgpd RIB', () => {
  it('native speaker: SYN flood (tcp-flags =syn&!ack, length) and DNS amplification (sport, length)', async () => {
    const syn = ruleOn('syn_flood', '203.0.113.5', 'p-syn');
    const dns = ruleOn('dns_amplification', '203.0.113.6', 'p-dns');
    expect(formatFlowSpec(syn.match)).toContain('tcp-flags =syn&!ack len <=60');
    expect(formatFlowSpec(dns.match)).toContain('sport =53 len >=486&<=1500');
    for (const r of [syn, dns]) expect(sp.upsertRule(r).ok).toBe(true);
    const got = await holds([syn, dns]);
    expect(gobgpMatch(got[0]!, 4)).toEqual(syn.match);
    expect(gobgpMatch(got[1]!, 4)).toEqual(dns.match);
    for (const p of got)
      expect(gobgpActions(p)).toEqual([{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }]);
    // gobgpd's own reading of the operators, not only ours of its JSON
    const text = await g.cli(['global', 'rib', '-a', 'ipv4-flowspec']);
    expect(text).toContain('[tcp-flags: =S&!A][packet-length: <=60]');
    expect(text).toContain('[source-port: ==53][packet-length: >=486&<=1500]');
    for (const r of [syn, dns]) sp.withdrawRule(r.id);
    await waitFor('gobgpd FlowSpec RIB empty', async () =>
      (await g.ribCount('ipv4-flowspec')) === 0 ? true : undefined,
    );
  });

  it('GoBGP adapter: the same rules added over gRPC are in the RIB field by field', async () => {
    const adapter = new GobgpAdapter(
      gobgpConfigSchema.parse({ name: 'gobgp', target: `127.0.0.1:${GRPC}`, protoDir: PROTO_DIR }),
    );
    try {
      const syn = ruleOn('syn_flood', '203.0.113.7', 'a-syn');
      const dns = ruleOn('dns_amplification', '203.0.113.8', 'a-dns');
      for (const r of [syn, dns]) {
        const res = await adapter.announce(r);
        expect(res.error).toBeUndefined();
        expect(res.ok).toBe(true);
      }
      const got = await holds([syn, dns]);
      expect(gobgpMatch(got[0]!, 4)).toEqual(syn.match);
      expect(gobgpMatch(got[1]!, 4)).toEqual(dns.match);
      for (const r of [syn, dns]) expect((await adapter.withdraw(r)).ok).toBe(true);
      await waitFor('gobgpd FlowSpec RIB empty', async () =>
        (await g.ribCount('ipv4-flowspec')) === 0 ? true : undefined,
      );
    } finally {
      await adapter.close();
    }
  });
});
