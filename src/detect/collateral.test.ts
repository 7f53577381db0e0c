// Collateral measurement (issue 10 item 4): FlowSpec operator semantics on window rows, and the
// legitimate traffic the detector reports per target before a rule (not the attack's signature) and
// while rules stand (not covered by any of them).
import { describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { sampleRule } from '../domain/sample-rule.js';
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import type { FlowSpecMatch, NumericTerm } from '../flowspec/types.js';
import { bitmaskMatch, discardingMatches, numericMatch } from './collateral.js';
import { parseDetectionConfig } from './config.js';
import { Detector } from './detector.js';
import { TimeDriver } from './driver.js';

const T0 = 1_700_000_000_000;
const n = (value: number, o: Partial<NumericTerm> = {}): NumericTerm => ({
  and: false,
  lt: false,
  gt: false,
  eq: true,
  value,
  ...o,
});

describe('FlowSpec operators (RFC 8955 §4.2.1)', () => {
  it('numeric: OR of AND-groups, lt/gt/eq bits', () => {
    const range = [n(100, { gt: true }), n(200, { and: true, lt: true })]; // >=100 && <=200
    expect([99, 100, 150, 200, 201].map((x) => numericMatch(range, x))).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
    const either = [n(53), n(123)];
    expect([53, 123, 124].map((x) => numericMatch(either, x))).toEqual([true, true, false]);
    // 10 || (>=20 && <=30): AND binds tighter than OR
    const mixed = [n(10), n(20, { gt: true }), n(30, { and: true, lt: true })];
    expect([10, 15, 25, 31].map((x) => numericMatch(mixed, x))).toEqual([true, false, true, false]);
    expect(numericMatch([], 1)).toBe(false);
  });

  it('bitmask: match bit = all bits, else any; not inverts', () => {
    const syn = [{ and: false, not: false, match: true, value: 0x02 }];
    expect(bitmaskMatch(syn, 0x02)).toBe(true);
    expect(bitmaskMatch(syn, 0x12)).toBe(true);
    const synNotAck = [...syn, { and: true, not: true, match: true, value: 0x10 }];
    expect(bitmaskMatch(synNotAck, 0x02)).toBe(true);
    expect(bitmaskMatch(synNotAck, 0x12)).toBe(false);
    const anyOf = [{ and: false, not: false, match: false, value: 0x06 }];
    expect(bitmaskMatch(anyOf, 0x04)).toBe(true);
    expect(bitmaskMatch(anyOf, 0x01)).toBe(false);
  });

  it('only announced rules that discard or police traffic count', () => {
    const rule = (intent: Rule['intent'], state: Rule['state']) =>
      sampleRule('r', { target: '203.0.113.10/32', intent, state, match: { family: 4 } });
    const m = discardingMatches([
      rule('drop', 'announced'),
      rule('rate-limit', 'announced'),
      rule('blackhole', 'pending'),
      rule('scrubbing', 'announced'),
      rule('syn-cookies', 'announced'),
    ]);
    expect(m.get('203.0.113.10/32')?.length).toBe(2);
  });
});

/** 1 s of flows: an attack (UDP/27015 from 198.51.100.0/24, 1000-byte packets) and legitimate players (UDP/27015 from 100.64.x.y, 200-byte packets). */
function traffic(d: TimeDriver, from: number, to: number): void {
  const w = 0;
  for (let t = from; t < to; t += 100) {
    const b = new FlowBatch(64);
    for (let k = 0; k < 20; k++) {
      const i = b.next();
      b.family[i] = 4;
      b.dstAddr[i * 4] = ((203 << 24) | (0 << 16) | (113 << 8) | 10) >>> 0;
      const legit = k < 4;
      b.srcAddr[i * 4] = legit
        ? ((100 << 24) | (64 << 16) | (k << 8) | (7 + w)) >>> 0
        : ((198 << 24) | (51 << 16) | (100 << 8) | k) >>> 0;
      b.proto[i] = 17;
      b.srcPort[i] = 20000 + k;
      b.dstPort[i] = 27015;
      b.packets[i] = legit ? 10 : 400;
      b.bytes[i] = legit ? 10 * 200 : 400 * 1000;
      b.startMs[i] = b.endMs[i] = T0 + t;
      b.format[i] = FORMAT_CODE.sflow5;
    }
    d.feed(b, ['r']);
    d.advanceTo(T0 + t + 100);
  }
}

describe('legitimate traffic per target', () => {
  const cfg = parseDetectionConfig({
    networks: ['203.0.113.0/24'],
    thresholds: { host: { incoming: { pps: 10_000 } }, prefix: { incoming: { pps: 1e9 } } },
  });
  // 4 legitimate flows × 10 packets × 200 bytes every 100 ms = 640 kbit/s
  const LEGIT_BPS = 4 * 10 * 200 * 8 * 10;

  it('before a rule: what the attack signature does not describe; then what no standing rule covers', () => {
    const det = new Detector(cfg);
    const drv = new TimeDriver(det);
    expect(det.legitTraffic()).toEqual([]); // nothing under attack or mitigation
    traffic(drv, 0, 2000);
    expect(drv.events.some((e) => e.kind === 'start')).toBe(true);
    const sig = drv.events.at(-1)!.signature;
    expect(sig.sourcePrefixes).toEqual(['198.51.100.0/24']);
    const [before] = det.legitTraffic();
    expect(before!.target).toBe('203.0.113.10/32');
    expect(before!.bps).toBeCloseTo(LEGIT_BPS, -3);

    // a basic rule (UDP to port 27015) covers the players too: nothing legitimate gets through
    const basic: FlowSpecMatch = {
      family: 4,
      destination: { prefix: '203.0.113.10/32' },
      ipProtocol: [n(17)],
      destinationPort: [n(27015)],
    };
    det.setMitigations(new Map([['203.0.113.10/32', [basic]]]));
    expect(det.legitTraffic()[0]!.bps).toBe(0);

    // narrowed to the attack's source prefix: the players pass again
    det.setMitigations(new Map([['203.0.113.10/32', [{ ...basic, source: { prefix: '198.51.100.0/24' } }]]]));
    expect(det.legitTraffic()[0]!.bps).toBeCloseTo(LEGIT_BPS, -3);

    // a blackhole (destination only) covers everything
    det.setMitigations(new Map([['203.0.113.10/32', [{ family: 4, destination: basic.destination }]]]));
    expect(det.legitTraffic()[0]!.bps).toBe(0);

    // packet length range of the attack only (1000 bytes): the 200-byte players pass
    det.setMitigations(
      new Map([
        [
          '203.0.113.10/32',
          [{ ...basic, packetLength: [n(900, { gt: true }), n(1100, { and: true, lt: true })] }],
        ],
      ]),
    );
    expect(det.legitTraffic()[0]!.bps).toBeCloseTo(LEGIT_BPS, -3);
  });
});

describe('a pass read a bucket at a time (LegitScan)', () => {
  const cfg = parseDetectionConfig({
    networks: ['203.0.113.0/24'],
    thresholds: { host: { incoming: { pps: 10_000 } }, prefix: { incoming: { pps: 1e9 } } },
  });
  const rule: FlowSpecMatch = {
    family: 4,
    destination: { prefix: '203.0.113.10/32' },
    ipProtocol: [n(17)],
    source: { prefix: '198.51.100.0/24' },
  };

  it('reports what the whole pass does, with a second pass and a restricted one run meanwhile', () => {
    const det = new Detector(cfg);
    const drv = new TimeDriver(det);
    traffic(drv, 0, 2000);
    det.setMitigations(
      new Map([
        ['203.0.113.10/32', [rule]],
        ['203.0.113.99/32', [rule]],
      ]),
    );
    const whole = det.legitTraffic();
    expect(whole.map((r) => r.target)).toEqual(['203.0.113.10/32']); // .99 is not tracked
    const scan = det.legitScan();
    let steps = 0;
    while (!scan.step()) {
      steps++;
      // another pass (the start of a new attack) while this one is in flight: its own marks
      if (steps === 3) expect(det.legitTraffic(new Set(['203.0.113.10/32']))).toEqual(whole);
      if (steps === 4) expect(det.legitTraffic(new Set(['203.0.113.77/32']))).toEqual([]);
    }
    expect(steps).toBeGreaterThan(3);
    // (had the passes shared marks, the inner ones' clean-up would have hidden the rows still to read)
    expect(scan.finish()).toEqual(whole);
    expect(whole[0]!.bps).toBeCloseTo(4 * 10 * 200 * 8 * 10, -3); // the players only
  });

  it('leaves out a target whose id was evicted and reused before the pass ended', () => {
    const det = new Detector(cfg);
    const drv = new TimeDriver(det);
    traffic(drv, 0, 2000);
    det.setMitigations(new Map([['203.0.113.10/32', [rule]]]));
    const scan = det.legitScan();
    scan.step();
    // what eviction and a new host in the same slot do to the id's generation (counters.ts insert)
    const hosts = (det as unknown as { sets: { gen: Uint32Array }[] }).sets[0]!;
    for (let id = 0; id < hosts.gen.length; id++) hosts.gen[id] = (hosts.gen[id] as number) + 1;
    expect(scan.finish()).toEqual([]);
  });
});

describe('what the target received before the surge', () => {
  it('is the baseline when the signature cannot tell the players from the attack', () => {
    const det = new Detector(
      parseDetectionConfig({
        networks: ['203.0.113.0/24'],
        thresholds: { host: { incoming: { pps: 10_000 } }, prefix: { incoming: { pps: 1e9 } } },
      }),
    );
    const drv = new TimeDriver(det);
    // players alone for 3 s (same protocol, ports and source network as the attack to come)
    const feed = (from: number, to: number, attack: boolean) => {
      for (let t = from; t < to; t += 100) {
        const b = new FlowBatch(8);
        for (let k = 0; k < (attack ? 5 : 1); k++) {
          const i = b.next();
          b.family[i] = 4;
          b.dstAddr[i * 4] = ((203 << 24) | (0 << 16) | (113 << 8) | 10) >>> 0;
          b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | (k === 0 ? 1 : 2)) >>> 0;
          b.proto[i] = 17;
          b.srcPort[i] = 40000;
          b.dstPort[i] = 27015;
          b.packets[i] = k === 0 ? 20 : 1000;
          b.bytes[i] = b.packets[i]! * 1000;
          b.startMs[i] = b.endMs[i] = T0 + t;
          b.format[i] = FORMAT_CODE.sflow5;
        }
        drv.feed(b, ['r']);
        drv.advanceTo(T0 + t + 100);
      }
    };
    feed(0, 3000, false);
    feed(3000, 3300, true);
    expect(drv.events.some((e) => e.kind === 'start')).toBe(true);
    // 20 packets × 1000 bytes every 100 ms = 1.6 Mbit/s before the surge
    expect(det.legitTraffic()[0]!.bps).toBeCloseTo(1.6e6, -5);
    // reported at that floor, the target needs none of the window's rows read
    expect(det.legitScan().done).toBe(true);
  });
});
