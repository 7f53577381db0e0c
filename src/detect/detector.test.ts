import { describe, expect, it } from 'vitest';
import { ATTACK_FAMILIES, type AttackEvent } from '../domain/attack.js';
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import { runScenario } from '../gen/harness.js';
import type { AttackKind } from '../gen/traffic.js';
import { parseIp, ipToWords } from '../net/index.js';
import { parseDetectionConfig } from './config.js';
import { Detector } from './detector.js';
import { TimeDriver } from './driver.js';

const T0 = 1_700_000_000_000;
const HOSTS = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 10}`);
const CONFIG = {
  networks: ['203.0.113.0/24', '2001:db8::/32'],
  thresholds: { host: { incoming: { pps: 20_000, bps: 1e9 } }, prefix: { incoming: { pps: 60_000 } } },
  quietPeriod: 3,
};

function attackRun(family: AttackKind, target: string, pps = 200_000) {
  return runScenario(CONFIG, {
    seed: 11,
    startMs: T0,
    durationMs: 6000,
    benign: { hosts: [...HOSTS, '2001:db8::10'], ppsPerHost: 2000, responseRatio: 1 },
    attacks: [{ family, target, pps, startMs: T0 + 2000, durationMs: 2000 }],
    output: { kind: 'sampled', samplingRate: 100 },
  });
}

const starts = (ev: readonly AttackEvent[]) => ev.filter((e) => e.kind === 'start');

describe('every attack family is detected and named from generated sFlow-like traffic (1:100)', () => {
  const families = ATTACK_FAMILIES.filter((f) => f !== 'unknown' && f !== 'carpet_bombing') as AttackKind[];
  const expectations: Record<string, (e: AttackEvent) => void> = {
    syn_flood: (e) => expect(e.signature).toMatchObject({ protocols: [6], tcpFlags: 0x02 }),
    dns_amplification: (e) => expect(e.signature).toMatchObject({ protocols: [17], sourcePorts: [53] }),
    ntp_amplification: (e) =>
      expect(e.signature).toMatchObject({ sourcePorts: [123], packetLength: { min: 440 } }),
    memcached_amplification: (e) => expect(e.signature.sourcePorts).toEqual([11211]),
    ssdp_amplification: (e) => expect(e.signature.sourcePorts).toEqual([1900]),
    cldap_amplification: (e) => expect(e.signature.sourcePorts).toEqual([389]),
    chargen_amplification: (e) => expect(e.signature.sourcePorts).toEqual([19]),
    snmp_amplification: (e) => expect(e.signature.sourcePorts).toEqual([161]),
    fragment_flood: (e) => expect(e.signature).toMatchObject({ fragment: true }),
    gre_flood: (e) => expect(e.signature.protocols).toEqual([47]),
    icmp_flood: (e) => expect(e.signature.protocols).toEqual([1]),
    udp_flood: (e) => expect(e.signature.protocols).toEqual([17]),
    ack_rst_flood: (e) => expect(e.signature.protocols).toEqual([6]),
  };
  it.each(families)('%s', (family) => {
    const { events } = attackRun(family, '203.0.113.10');
    const s = starts(events);
    expect(s.map((e) => [e.target, e.family])).toEqual([['203.0.113.10/32', family]]);
    const start = s[0]!;
    // Within 300 ms of the first attack traffic, on the 100 ms tick.
    expect(start.at - (T0 + 2000)).toBeLessThanOrEqual(300);
    expect(start.reason).toMatch(/^incoming pps .* > 20\.0k \(group default host threshold\); /);
    expect(start.node).toBe('gen');
    expect(start.hostGroup).toBe('default');
    const last = events.filter((e) => e.kind === 'update').at(-1)!;
    expect(last.family).toBe(family);
    expectations[family]!(last);
    expect(last.signature.coverage).toBeGreaterThanOrEqual(0.9);
    expect(last.peakPps).toBeGreaterThan(150_000);
    expect(events.at(-1)!.kind).toBe('end');
  });

  it('carpet bombing targets the prefix, with the vector in the reason', () => {
    const { events } = attackRun('carpet_bombing', '203.0.113.0/24', 250_000);
    const s = starts(events);
    expect(s.map((e) => [e.target, e.family])).toEqual([['203.0.113.0/24', 'carpet_bombing']]);
    expect(events.filter((e) => e.kind === 'update').at(-1)!.reason).toMatch(
      /spread over \d+ hosts.*vector udp_flood/,
    );
  });

  it('IPv6 hosts are counted and named like IPv4 ones', () => {
    const { events } = attackRun('syn_flood', '2001:db8::10');
    expect(starts(events).map((e) => [e.target, e.family])).toEqual([['2001:db8::10/128', 'syn_flood']]);
  });

  it('benign traffic below the thresholds raises nothing', () => {
    const { events, detector } = runScenario(CONFIG, {
      seed: 5,
      startMs: T0,
      durationMs: 5000,
      benign: { hosts: HOSTS, ppsPerHost: 2000, responseRatio: 1, burstiness: 0.1 },
      output: { kind: 'sampled', samplingRate: 100 },
    });
    expect(events).toEqual([]);
    expect(detector.stats().hostsIn).toBe(HOSTS.length);
    expect(detector.stats().hostsOut).toBe(HOSTS.length);
  });
});

/** A batch of n identical records. */
function records(
  n: number,
  f: Partial<
    Record<
      | 'src'
      | 'dst'
      | 'proto'
      | 'sport'
      | 'dport'
      | 'flags'
      | 'pkts'
      | 'bytes'
      | 'sr'
      | 'start'
      | 'end'
      | 'exporter',
      number | string
    >
  >,
): FlowBatch {
  const b = new FlowBatch(Math.max(1, n));
  const w = new Uint32Array(4);
  for (let k = 0; k < n; k++) {
    const i = b.next();
    const src = parseIp(String(f.src ?? '198.51.100.1'));
    const dst = parseIp(String(f.dst ?? '203.0.113.5'));
    b.family[i] = dst.family;
    ipToWords(src, w, 0);
    b.srcAddr.set(w, i * 4);
    ipToWords(dst, w, 0);
    b.dstAddr.set(w, i * 4);
    b.proto[i] = Number(f.proto ?? 17);
    b.srcPort[i] = Number(f.sport ?? 40000);
    b.dstPort[i] = Number(f.dport ?? 80);
    b.tcpFlags[i] = Number(f.flags ?? 0);
    b.packets[i] = Number(f.pkts ?? 1);
    b.bytes[i] = Number(f.bytes ?? 100);
    b.samplingRate[i] = Number(f.sr ?? 1);
    b.startMs[i] = Number(f.start ?? T0);
    b.endMs[i] = Number(f.end ?? f.start ?? T0);
    b.exporter[i] = Number(f.exporter ?? 0);
    b.format[i] = FORMAT_CODE.netflow9;
  }
  return b;
}

describe('attack lifecycle', () => {
  it('start, updates at most once a second with current and peak rates, end after the quiet period', () => {
    const det = new Detector(
      parseDetectionConfig({
        networks: ['203.0.113.0/24'],
        thresholds: { host: { incoming: { pps: 1000 } } },
        quietPeriod: 2,
      }),
    );
    const drv = new TimeDriver(det);
    // 5 s of 2000 pps then 3 s of 4000 pps, as 100 ms flow records of 200/400 packets.
    for (let t = 0; t < 8000; t += 100) {
      const pkts = t < 5000 ? 200 : 400;
      drv.feed(records(1, { pkts, bytes: pkts * 100, start: T0 + t, end: T0 + t + 100, exporter: 1 }), [
        'r1',
        'r2',
      ]);
      drv.advanceTo(T0 + t + 100);
    }
    drv.drain(10_000);
    const ev = drv.events;
    expect(ev[0]!.kind).toBe('start');
    expect(ev.at(-1)!.kind).toBe('end');
    expect(ev.filter((e) => e.kind === 'start')).toHaveLength(1);
    expect(new Set(ev.map((e) => e.attackId)).size).toBe(1);
    expect(
      ev.every((e) => e.node === 'r2' && e.target === '203.0.113.5/32' && e.family === 'udp_flood'),
    ).toBe(true);
    const ups = ev.filter((e) => e.kind === 'update');
    for (let k = 1; k < ups.length; k++) expect(ups[k]!.at - ups[k - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...ev.map((e) => e.peakPps))).toBeCloseTo(4000, -1);
    expect(ev.at(-1)!.peakPps).toBeCloseTo(4000, -1);
    expect(ev.at(-1)!.pps).toBe(0);
    // Traffic stopped at +8 s: the end comes quietPeriod (2 s) later, within a window and a tick.
    expect(ev.at(-1)!.at - (T0 + 8000)).toBeGreaterThanOrEqual(2000);
    expect(ev.at(-1)!.at - (T0 + 8000)).toBeLessThanOrEqual(3200);
    expect(ev[0]!.thresholdPps).toBe(1000);
    expect(ev[0]!.severity).toBeGreaterThan(1);
  });

  it('outgoing floods from one of our hosts are reported with direction outgoing', () => {
    const det = new Detector(
      parseDetectionConfig({
        networks: ['203.0.113.0/24'],
        thresholds: { host: { outgoing: { pps: 500 } } },
      }),
    );
    const drv = new TimeDriver(det);
    for (let t = 0; t < 2000; t += 100) {
      drv.feed(
        records(1, {
          src: '203.0.113.7',
          dst: '192.0.2.50',
          proto: 6,
          flags: 0x02,
          pkts: 100,
          start: T0 + t,
          end: T0 + t + 100,
        }),
        ['r'],
      );
      drv.advanceTo(T0 + t + 100);
    }
    const s = drv.events.filter((e) => e.kind === 'start');
    expect(s.map((e) => [e.target, e.direction, e.family])).toEqual([
      ['203.0.113.7/32', 'outgoing', 'syn_flood'],
    ]);
  });
});

describe('flow exports that arrive after their flow ended', () => {
  // 50 flows × 400 packets over 4 s = 5000 pps to one host, exported `delay` ms after the flows ended
  function startRate(delayMs: number): number | undefined {
    const cfg = parseDetectionConfig({
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: { pps: 20 } } },
    });
    const d = new Detector(cfg, { node: 'r1' });
    const end = 1_800_000_000_000;
    const b = new FlowBatch(64);
    for (let s = 0; s < 50; s++) {
      const i = b.next();
      b.family[i] = 4;
      b.srcAddr[i * 4] = ((198 << 24) | (18 << 16) | (s + 1)) >>> 0;
      b.dstAddr[i * 4] = ((203 << 24) | (113 << 8) | 10) >>> 0;
      b.proto[i] = 17;
      b.srcPort[i] = 40000 + s;
      b.dstPort[i] = 27015;
      b.packets[i] = 400;
      b.bytes[i] = 400_000;
      b.startMs[i] = end - 4000;
      b.endMs[i] = end;
    }
    d.tick(end + delayMs - 100);
    d.ingest(b, ['r1']);
    const ev = d.tick(end + delayMs).find((e) => e.kind === 'start');
    return ev?.pps;
  }

  it('count at the flow’s own rate however long after the flow’s end they arrive', () => {
    // before: a record ending 0.9 s before arrival put only its last 0.1 s in the window (~500 pps)
    for (const delay of [50, 300, 900, 950, 2500, 20_000]) {
      const pps = startRate(delay);
      expect(pps, `delay ${delay} ms`).toBeGreaterThan(4000);
      expect(pps, `delay ${delay} ms`).toBeLessThan(6000);
    }
  });
});

describe('a prefix over its limit only because of a host attack', () => {
  it('is set aside without reading its rows (no description built for it)', () => {
    const det = new Detector(parseDetectionConfig(CONFIG));
    const drv = new TimeDriver(det);
    const dst = ((203 << 24) | (113 << 8) | 10) >>> 0;
    for (let t = 0; t < 6000; t += 100) {
      const b = new FlowBatch(64);
      for (let k = 0; k < 40; k++) {
        const i = b.next();
        b.family[i] = 4;
        b.dstAddr[i * 4] = dst;
        b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | k) >>> 0;
        b.proto[i] = 17;
        b.srcPort[i] = 123;
        b.dstPort[i] = 40000 + k;
        b.packets[i] = 500; // 40 × 500 per 100 ms: 200 k pps, over the host's 20 k and the /24's 60 k
        b.bytes[i] = 500 * 468;
        b.startMs[i] = b.endMs[i] = T0 + t;
        b.format[i] = FORMAT_CODE.sflow5;
      }
      drv.feed(b, ['r']);
      drv.advanceTo(T0 + t + 100);
    }
    const mine = drv.events.filter((e) => e.target === '203.0.113.10/32');
    expect(mine.filter((e) => e.kind === 'start')).toHaveLength(1);
    expect(drv.events.every((e) => e.target === '203.0.113.10/32')).toBe(true);
    // one description per event of the host's attack; the /24 (rechecked each second) adds none
    expect(det.stats().descriptions).toBe(mine.length);
  });
});
