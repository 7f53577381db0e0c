// Rows only for targets near a threshold (rowgate.ts, issue 15): a detector that keeps a row for every
// record (rowShare 0, the accounting before) and one with the default must raise the same attacks, with
// the same families, signatures and legitimate-traffic figures, because rows start before a target
// crosses — and the common record, far from any threshold, writes none.
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../domain/attack.js';
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import type { FlowSpecMatch } from '../flowspec/types.js';
import { parseDetectionConfig } from './config.js';
import { Detector } from './detector.js';

const T0 = 1_700_000_000_000;
const BASE = 0xcb007100; // 203.0.113.0

interface Sample {
  at: number;
  host: number;
  src: number;
  proto: number;
  srcPort: number;
  dstPort: number;
  flags: number;
  bytes: number;
}

/**
 * 6 s of sFlow-like samples (1:100): 40 hosts at ~2k pps of mixed TCP/UDP from 64 sources, a SYN flood
 * of 100k pps on host 7 from 3.0 s, and a DNS-reflection carpet over every host (prefix total ~480k
 * pps, ~12k pps per host) from 4.5 s.
 */
function scenario(): Sample[] {
  let seed = 42;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const out: Sample[] = [];
  for (let at = 0; at < 6000; at += 1) {
    // background: 40 hosts × 20 samples/s
    if (at % 1 === 0 && rnd() < 0.8) {
      const tcp = rnd() < 0.6;
      out.push({
        at,
        host: 1 + Math.floor(rnd() * 40),
        src: (0xc6336400 + Math.floor(rnd() * 64)) >>> 0,
        proto: tcp ? 6 : 17,
        srcPort: 1024 + Math.floor(rnd() * 60000),
        dstPort: tcp ? 443 : 4500,
        flags: tcp ? 0x18 : 0,
        bytes: 200 + Math.floor(rnd() * 1200),
      });
    }
    if (at >= 3000)
      out.push({
        at,
        host: 7,
        src: (0x0a000000 + Math.floor(rnd() * 2 ** 20)) >>> 0,
        proto: 6,
        srcPort: 1024 + Math.floor(rnd() * 60000),
        dstPort: 80,
        flags: 0x02,
        bytes: 60,
      });
    if (at >= 4500)
      for (let k = 0; k < 5; k++)
        out.push({
          at,
          host: 1 + Math.floor(rnd() * 40),
          src: (0x08080000 + Math.floor(rnd() * 16)) >>> 0,
          proto: 17,
          srcPort: 53,
          dstPort: 1024 + Math.floor(rnd() * 60000),
          flags: 0,
          bytes: 1400,
        });
  }
  return out;
}

function run(rowShare: number): { events: AttackEvent[]; legit: string[]; rowsBefore: number } {
  const det = new Detector(
    parseDetectionConfig({
      networks: ['203.0.113.0/24'],
      rowShare,
      // the SYN flood alone must not make a prefix attack; the carpet must
      thresholds: {
        host: { incoming: { pps: 50_000, synPps: 20_000 } },
        prefix: { incoming: { pps: 300_000 } },
      },
    }),
  );
  const samples = scenario();
  const events: AttackEvent[] = [];
  const legit: string[] = [];
  let rowsBefore = -1;
  let next = T0 + 100;
  let k = 0;
  while (next <= T0 + 6000) {
    const b = new FlowBatch(4096);
    while (k < samples.length && T0 + samples[k]!.at < next) {
      const s = samples[k++]!;
      const i = b.next();
      b.family[i] = 4;
      b.dstAddr[i * 4] = (BASE + s.host) >>> 0;
      b.srcAddr[i * 4] = s.src;
      b.proto[i] = s.proto;
      b.srcPort[i] = s.srcPort;
      b.dstPort[i] = s.dstPort;
      b.tcpFlags[i] = s.flags;
      b.packets[i] = 1;
      b.bytes[i] = s.bytes;
      b.samplingRate[i] = 100;
      b.startMs[i] = b.endMs[i] = T0 + s.at;
      b.format[i] = FORMAT_CODE.sflow5;
      if (b.full) break;
    }
    det.ingest(b, ['r1']);
    if (k < samples.length && T0 + samples[k]!.at < next) continue; // batch was full
    events.push(...det.tick(next));
    for (const l of det.legitTraffic()) legit.push(`${next - T0} ${l.target} ${Math.round(l.bps)}`);
    if (next === T0 + 2900) rowsBefore = det.stats().rows;
    next += 100;
  }
  return { events, legit, rowsBefore };
}

/** What the engine acts on: everything but the reason text's figures (same code path either way). */
const view = (e: AttackEvent) => ({
  kind: e.kind,
  at: e.at - T0,
  target: e.target,
  family: e.family,
  pps: Math.round(e.pps),
  signature: e.signature,
});

describe('rows only for targets near a threshold', () => {
  it('raises the same attacks with the same signatures and legitimate-traffic figures as rows for every record', () => {
    const all = run(0);
    const gated = run(0.5);
    const kinds = all.events.map((e) => `${e.kind} ${e.target} ${e.family}`);
    // the scenario does what it says: a SYN flood on .7, then a DNS-reflection carpet on the /24
    expect(kinds).toContain('start 203.0.113.7/32 syn_flood');
    expect(kinds.some((k) => k.startsWith('start 203.0.113.0/24 carpet_bombing'))).toBe(true);
    // Same events; only the coverage of a signature may differ, and only a little: the rows of the first
    // instant start when the target got near its threshold, so some calm records before are not in them.
    const noCoverage = (e: AttackEvent) => ({ ...view(e), signature: { ...e.signature, coverage: 0 } });
    expect(gated.events.map(noCoverage)).toEqual(all.events.map(noCoverage));
    gated.events.forEach((e, k) =>
      expect(Math.abs(e.signature.coverage - all.events[k]!.signature.coverage)).toBeLessThanOrEqual(0.01),
    );
    expect(gated.legit).toEqual(all.legit);
    // and before the attacks no record wrote a row (the background stays far below the thresholds)
    expect(all.rowsBefore).toBeGreaterThan(500);
    expect(gated.rowsBefore).toBe(0);
  });

  it('a target under a rule keeps rows at any rate, so its legitimate traffic is measured', () => {
    const det = new Detector(parseDetectionConfig({ networks: ['203.0.113.0/24'] }));
    const calm = (from: number) => {
      // 5 samples of 1:100 in 100 ms to host 9: 5k pps, a quarter of its lowest limit (synPps 20k)
      const b = new FlowBatch(5);
      for (let k = 0; k < 5; k++) {
        const i = b.next();
        b.family[i] = 4;
        b.dstAddr[i * 4] = (BASE + 9) >>> 0;
        b.srcAddr[i * 4] = 0xc6336401;
        b.proto[i] = 6;
        b.srcPort[i] = 40000;
        b.dstPort[i] = 443;
        b.tcpFlags[i] = 0x18;
        b.packets[i] = 1;
        b.bytes[i] = 1000;
        b.samplingRate[i] = 100;
        b.startMs[i] = b.endMs[i] = T0 + from + k * 20;
        b.format[i] = FORMAT_CODE.sflow5;
      }
      return b;
    };
    for (let t = 0; t < 1000; t += 100) {
      det.ingest(calm(t), ['r1']);
      det.tick(T0 + t + 100);
    }
    expect(det.stats().rows).toBe(0);
    // a UDP drop rule stands for the host: its TCP traffic is legitimate and must be measured
    const udp: FlowSpecMatch = {
      family: 4,
      destination: { prefix: '203.0.113.9/32' },
      ipProtocol: [{ and: false, lt: false, gt: false, eq: true, value: 17 }],
    };
    det.setMitigations(new Map([['203.0.113.9/32', [udp]]]));
    for (let t = 1000; t < 2100; t += 100) {
      det.tick(T0 + t);
      det.ingest(calm(t), ['r1']);
    }
    det.tick(T0 + 2100);
    expect(det.stats().rows).toBeGreaterThan(0);
    // 5k pps of 1000-byte packets = 40 Mbit/s, the whole window by now
    expect(det.legitTraffic()).toEqual([{ target: '203.0.113.9/32', bps: 40_000_000 }]);
  });
});
