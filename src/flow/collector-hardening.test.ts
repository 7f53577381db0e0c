// Issue 19 items 1–2 and issue 10 item 3 at the collector: a bounded exporter table that evicts idle exporters
// least recently seen first, sFlow exporters identified by agent address + sub-agent id (not the UDP source),
// node names per exporter or prefix, and the screening that keeps forged-looking records from detection.
import { describe, expect, it } from 'vitest';
import { counterSample, flowSample, genericIfCounters, sampledIpv4, sflow } from '../../test/flow/wire.js';
import type { FlowBatch } from './batch.js';
import { FlowCollector } from './collector.js';
import type { ExporterState } from './exporter.js';
import { DEFAULT_FLOW_LIMITS } from './limits.js';
import { DEFAULT_SCREEN } from './screen.js';

const T0 = 1_800_000_000_000;

function samples(n: number, rate: number, bytes = 1000): Buffer[] {
  return Array.from({ length: n }, () =>
    flowSample({ rate }, [
      sampledIpv4({
        length: bytes,
        proto: 17,
        src: '198.51.100.1',
        dst: '203.0.113.5',
        sport: 53,
        dport: 4444,
        flags: 0,
        tos: 0,
      }),
    ]),
  );
}
const dgram = (agent: string, seq: number, rate = 100, n = 4, subAgent = 0) =>
  sflow({ agent, subAgent, seq }, samples(n, rate));

class Rig {
  t = T0;
  rows = 0;
  names: string[] = [];
  readonly c: FlowCollector;
  constructor(opts: Partial<ConstructorParameters<typeof FlowCollector>[0]> = {}) {
    this.c = new FlowCollector({
      listen: [],
      now: () => this.t,
      onBatch: (b: FlowBatch, ex: readonly ExporterState[]) => {
        this.rows += b.length;
        for (let i = 0; i < b.length; i++) this.names.push(ex[b.exporter[i]!]!.node);
      },
      ...opts,
    });
  }
  feed(buf: Uint8Array, from: string): void {
    this.c.ingest(buf, from, this.t);
    this.c.flush();
  }
}

describe('exporter table', () => {
  it('evicts the least recently seen idle exporter when full, and refuses a newcomer while all are active', () => {
    const r = new Rig({ limits: { ...DEFAULT_FLOW_LIMITS, maxExporters: 2, exporterIdleMs: 1000 } });
    r.feed(dgram('10.0.0.1', 1), '10.0.0.1');
    r.feed(dgram('10.0.0.2', 1), '10.0.0.2');
    const g = r.c.generation;
    r.t += 500;
    r.feed(dgram('10.0.0.2', 2), '10.0.0.2');
    r.feed(dgram('10.0.0.3', 1), '10.0.0.3');
    expect(r.c.stats().exporterLimit).toBe(1);
    r.t += 600; // 10.0.0.1 idle 1100 ms, 10.0.0.2 600 ms
    r.feed(dgram('10.0.0.3', 2), '10.0.0.3');
    const s = r.c.stats();
    expect(s.exportersEvicted).toBe(1);
    expect(s.exporters.map((e) => [e.address, e.id])).toEqual([
      ['10.0.0.3', 0],
      ['10.0.0.2', 1],
    ]);
    expect(r.c.generation).toBeGreaterThan(g);
    expect(r.c.exporters).toHaveLength(2);
  });

  it('releases exporters idle past the template lifetime on the sweep', () => {
    const r = new Rig({
      limits: { ...DEFAULT_FLOW_LIMITS, templateTimeoutMs: 10_000, exporterIdleMs: 1000 },
    });
    r.feed(dgram('10.0.0.1', 1), '10.0.0.1');
    r.t += 5000;
    r.feed(dgram('10.0.0.2', 1), '10.0.0.2');
    r.c.ingest(Buffer.from('not an export'), '10.0.0.9', r.t - 5000);
    r.c.sweep(r.t + 6000);
    expect(r.c.stats().exporters.map((e) => e.address)).toEqual(['10.0.0.2']);
    // what an evicted exporter was refused still counts in the totals
    expect(r.c.stats().errors['unknown-format']).toBe(1);
    r.feed(dgram('10.0.0.4', 1), '10.0.0.4');
    expect([0, 2]).toContain(r.c.stats().exporters.find((e) => e.address === '10.0.0.4')!.id); // a freed slot
  });
});

describe('sFlow exporter identity and node names', () => {
  it('two agents relayed through one host are two exporters; the allowlist applies to the UDP source', () => {
    const r = new Rig({ allow: ['192.0.2.50'] });
    r.feed(dgram('10.1.0.1', 1), '192.0.2.50');
    r.feed(dgram('10.1.0.2', 1), '192.0.2.50');
    r.feed(dgram('10.1.0.2', 7, 100, 4, 3), '192.0.2.50'); // another sub-agent of the second agent
    r.feed(dgram('10.1.0.1', 2), '192.0.2.99'); // a known agent claimed from an unlisted source
    const s = r.c.stats();
    expect(s.rejected).toBe(1);
    expect(s.exporters.map((e) => [e.address, e.subAgentId, e.source, e.node])).toEqual([
      ['10.1.0.1', 0, '192.0.2.50', '10.1.0.1'],
      ['10.1.0.2', 0, '192.0.2.50', '10.1.0.2'],
      ['10.1.0.2', 3, '192.0.2.50', '10.1.0.2'],
    ]);
    // sequence numbers are tracked per agent: no gap although the relay interleaves them
    expect(s.exporters.every((e) => e.sequenceGaps === 0)).toBe(true);
  });

  it('interleaved relays and agents map every datagram to its own agent (issue 15: last-source memo)', () => {
    const r = new Rig();
    const seq = new Map<string, number>();
    const next = (agent: string) => {
      const n = (seq.get(agent) ?? 0) + 1;
      seq.set(agent, n);
      return n;
    };
    // one relay alternating two agents, a second relay, then the first relay again with a third agent
    const plan: [string, string][] = [
      ['10.2.0.1', '127.0.102.10'],
      ['10.2.0.2', '127.0.102.10'],
      ['10.2.0.1', '127.0.102.10'],
      ['10.2.0.3', '127.0.102.11'],
      ['10.2.0.2', '127.0.102.10'],
      ['10.2.0.3', '127.0.102.11'],
      ['10.2.0.4', '127.0.102.10'],
      ['10.2.0.4', '127.0.102.10'],
      ['10.2.0.1', '127.0.102.10'],
    ];
    for (const [agent, from] of plan) r.feed(dgram(agent, next(agent)), from);
    const s = r.c.stats();
    expect(s.exporters.map((e) => [e.address, e.source, e.datagrams])).toEqual([
      ['10.2.0.1', '127.0.102.10', 3],
      ['10.2.0.2', '127.0.102.10', 2],
      ['10.2.0.3', '127.0.102.11', 2],
      ['10.2.0.4', '127.0.102.10', 2],
    ]);
    expect(s.exporters.every((e) => e.sequenceGaps === 0 && e.sequenceResets === 0)).toBe(true);
  });

  it('names nodes per exporter or prefix (longest wins) and hands the names to the detector by exporter id', () => {
    const r = new Rig({ nodes: { '10.0.0.0/24': 'pop-ams', '10.0.0.9': 'edge-9' } });
    r.feed(dgram('10.0.0.1', 1), '10.0.0.1');
    r.feed(dgram('10.0.0.2', 1), '10.0.0.2');
    r.feed(dgram('10.0.0.9', 1), '10.0.0.9');
    r.feed(dgram('10.0.1.1', 1), '10.0.1.1');
    expect(r.names).toEqual([
      ...Array(8).fill('pop-ams'),
      ...Array(4).fill('edge-9'),
      ...Array(4).fill('10.0.1.1'),
    ]);
  });
});

describe('record screening', () => {
  it('quarantines records claiming a sampling rate over the bound and flags the exporter', () => {
    const r = new Rig();
    r.feed(dgram('10.0.0.1', 1, 1e9), '10.0.0.1');
    r.feed(dgram('10.0.0.2', 1, 1000), '10.0.0.2');
    expect(r.rows).toBe(4);
    const s = r.c.stats();
    expect(s.quarantinedRecords).toBe(4);
    expect(s.exporters[0]).toMatchObject({
      quarantinedRecords: 4,
      implausibleUntilMs: T0 + DEFAULT_SCREEN.flaggedForMs,
    });
    expect(r.c.implausibleNodes(r.t)).toEqual(['10.0.0.1']);
    expect(r.c.implausibleNodes(r.t + DEFAULT_SCREEN.flaggedForMs)).toEqual([]);
  });

  it('quarantines an exporter’s records for a while after its sampling rate changes mid-stream', () => {
    const r = new Rig();
    r.feed(dgram('10.0.0.1', 1, 100), '10.0.0.1');
    expect(r.rows).toBe(4);
    r.t += 1000;
    r.feed(dgram('10.0.0.1', 2, 50_000), '10.0.0.1');
    r.t += DEFAULT_SCREEN.rateChangeHoldMs - 1;
    r.feed(dgram('10.0.0.1', 3, 50_000), '10.0.0.1');
    expect(r.rows).toBe(4);
    r.t += 2;
    r.feed(dgram('10.0.0.1', 4, 50_000), '10.0.0.1');
    expect(r.rows).toBe(8);
    expect(r.c.stats().exporters[0]).toMatchObject({ quarantinedRecords: 8, samplingChanges: 1 });
  });

  it('counts records over an exporter’s ceiling as invalid: configured, or its sFlow interface speed', () => {
    // 4 samples × 1000 octets × rate 1000 = 32 Mbit per datagram; ceiling 10 Mbit/s over a 5 s window = 50 Mbit
    const r = new Rig({ ceilings: { '10.0.0.0/24': { maxBps: 1e7 } } });
    r.feed(dgram('10.0.0.1', 1, 1000), '10.0.0.1');
    r.feed(dgram('10.0.0.1', 2, 1000), '10.0.0.1');
    expect(r.rows).toBe(6);
    const e = r.c.stats().exporters[0]!;
    expect(e.implausibleRecords).toBe(2);
    expect(e.implausibleReason).toMatch(/ceiling of 10000000 bit\/s/);
    r.t += DEFAULT_SCREEN.windowMs;
    r.feed(dgram('10.0.0.1', 3, 1000), '10.0.0.1');
    expect(r.rows).toBe(10); // a new window
  });

  it('caps an sFlow exporter at the sum of the interface speeds its counter samples report', () => {
    const r = new Rig({ defaultCeiling: { maxBps: 0, maxPps: 0 } });
    const counters = sflow({ agent: '10.0.0.1', seq: 1 }, [
      counterSample(1, 1, [genericIfCounters(1, 0, 0, 1_000_000)]),
      counterSample(2, 2, [genericIfCounters(2, 0, 0, 2_000_000)]),
    ]);
    r.feed(counters, '10.0.0.1');
    // 3 Mbit/s × 1.2 × 5 s = 18 Mbit: two 8 Mbit records fit, the other two do not
    r.feed(dgram('10.0.0.1', 2, 1000), '10.0.0.1');
    expect(r.rows).toBe(2);
    expect(r.c.stats().exporters[0]).toMatchObject({ implausibleRecords: 2, ceilingBps: 3_600_000 });
  });

  it('takes a sequence jump beyond the bound for a reset, not for billions of lost datagrams', () => {
    const r = new Rig();
    r.feed(dgram('10.0.0.1', 1), '10.0.0.1');
    r.feed(dgram('10.0.0.1', 4), '10.0.0.1');
    r.feed(dgram('10.0.0.1', 4_000_000_000), '10.0.0.1');
    const e = r.c.stats().exporters[0]!;
    expect(e).toMatchObject({ sequenceGaps: 1, lostDatagrams: 2, sequenceResets: 1 });
  });
});
