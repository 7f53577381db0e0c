// The agent's capture path without tcpdump: classic pcap bytes (both byte orders, µs and ns) split at every
// possible chunk boundary read the same; 1-in-N sampling keeps about 1/N of the packets with samplingRate N
// and parses IPv4 and IPv6 headers into detection records; the header ring serves an attacked target's
// samples; a Detector fed through it sees the flood's rate scaled back by N.
import { describe, expect, it } from 'vitest';
import { parseDetectionConfig } from '../detect/config.js';
import { Detector } from '../detect/detector.js';
import { TimeDriver } from '../detect/driver.js';
import type { FlowBatch } from '../flow/batch.js';
import { PcapStream } from './pcap-stream.js';
import { PacketSampler } from './sampler.js';

function ipv4Udp(src: number[], dst: number[], dport: number, payload = 20): Uint8Array {
  const ip = new Uint8Array(28 + payload);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x45;
  dv.setUint16(2, ip.length);
  ip[8] = 64;
  ip[9] = 17;
  ip.set(src, 12);
  ip.set(dst, 16);
  dv.setUint16(20, 4444);
  dv.setUint16(22, dport);
  dv.setUint16(24, 8 + payload);
  return ip;
}

function ipv6Udp(dstLast: number, dport: number): Uint8Array {
  const ip = new Uint8Array(48);
  const dv = new DataView(ip.buffer);
  dv.setUint32(0, 0x60000000);
  dv.setUint16(4, 8);
  ip[6] = 17;
  ip[7] = 64;
  ip.set([0x20, 0x01, 0x0d, 0xb8], 8);
  ip[23] = 1;
  ip.set([0x20, 0x01, 0x0d, 0xb8], 24);
  ip[39] = dstLast;
  dv.setUint16(40, 5555);
  dv.setUint16(42, dport);
  return ip;
}

function ether(ip: Uint8Array, v6 = false): Uint8Array {
  const f = new Uint8Array(14 + ip.length);
  f[12] = v6 ? 0x86 : 0x08;
  f[13] = v6 ? 0xdd : 0x00;
  f.set(ip, 14);
  return f;
}

/** A pcap stream as tcpdump -w - writes it (LINKTYPE_ETHERNET). */
function pcap(frames: Uint8Array[], le: boolean, nano: boolean, t0 = 1_700_000_000): Uint8Array {
  const parts: Uint8Array[] = [];
  const h = new DataView(new ArrayBuffer(24));
  h.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  h.setUint16(4, 2, le);
  h.setUint16(6, 4, le);
  h.setUint32(16, 262144, le);
  h.setUint32(20, 1, le);
  parts.push(new Uint8Array(h.buffer));
  frames.forEach((f, k) => {
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, t0 + Math.floor(k / 1000), le);
    r.setUint32(4, (k % 1000) * (nano ? 1_000_000 : 1000), le);
    r.setUint32(8, f.length, le);
    r.setUint32(12, f.length + 4, le);
    parts.push(new Uint8Array(r.buffer), f);
  });
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('PcapStream', () => {
  const frames = [ether(ipv4Udp([10, 0, 0, 1], [10, 0, 0, 2], 53)), ether(ipv6Udp(2, 123), true)];
  for (const le of [true, false])
    for (const nano of [false, true])
      it(`reads the same records at every chunk split (${le ? 'LE' : 'BE'}, ${nano ? 'ns' : 'µs'})`, () => {
        const bytes = pcap(frames, le, nano);
        for (let cut = 0; cut <= bytes.length; cut++) {
          const got: [number, number, number, number][] = [];
          const s = new PcapStream((buf, off, incl, orig, t, link) => {
            expect(buf.subarray(off, off + incl)).toEqual(frames[got.length]);
            got.push([incl, orig, t, link]);
          });
          expect(s.push(bytes.slice(0, cut))).toBe(true);
          expect(s.push(bytes.slice(cut))).toBe(true);
          expect(got).toEqual([
            [frames[0]!.length, frames[0]!.length + 4, 1_700_000_000_000, 1],
            [frames[1]!.length, frames[1]!.length + 4, 1_700_000_000_001, 1],
          ]);
        }
      });

  it('refuses a stream that is not pcap, and an absurd record length', () => {
    const s = new PcapStream(() => undefined);
    expect(s.push(new Uint8Array(24).fill(7))).toBe(false);
    expect(s.error).toBe('bad-magic');
    const bytes = pcap(frames, true, false);
    new DataView(bytes.buffer).setUint32(24 + 8, 10_000_000, true);
    const t = new PcapStream(() => undefined);
    expect(t.push(bytes)).toBe(false);
    expect(t.error).toBe('record-too-large');
  });
});

describe('PacketSampler', () => {
  /** Seeded LCG: reproducible skips. */
  const lcg = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

  it('samples about 1 in N, IPv4 and IPv6, with samplingRate N on each record', () => {
    const batches: { family: number; dport: number; rate: number; bytes: number }[] = [];
    const s = new PacketSampler(
      10,
      64,
      (b: FlowBatch) => {
        for (let i = 0; i < b.length; i++)
          batches.push({
            family: b.family[i]!,
            dport: b.dstPort[i]!,
            rate: b.samplingRate[i]!,
            bytes: b.bytes[i]!,
          });
      },
      lcg(7),
      128,
    );
    const frames: Uint8Array[] = [];
    for (let k = 0; k < 10_000; k++)
      frames.push(k % 2 ? ether(ipv6Udp(2, 123), true) : ether(ipv4Udp([10, 0, 0, 1], [10, 0, 0, 2], 53)));
    const stream = new PcapStream(s.record);
    stream.push(pcap(frames, true, false));
    s.flushNow();
    expect(s.stats.seen).toBe(10_000);
    expect(s.stats.sampled).toBe(batches.length);
    expect(batches.length).toBeGreaterThan(800);
    expect(batches.length).toBeLessThan(1200);
    expect(new Set(batches.map((b) => b.rate))).toEqual(new Set([10]));
    const v4 = batches.filter((b) => b.family === 4);
    const v6 = batches.filter((b) => b.family === 6);
    expect(v4.length).toBeGreaterThan(300);
    expect(v6.length).toBeGreaterThan(300);
    expect(new Set(v4.map((b) => `${b.dport}/${b.bytes}`))).toEqual(new Set(['53/48']));
    expect(new Set(v6.map((b) => `${b.dport}/${b.bytes}`))).toEqual(new Set(['123/48']));
    // the ring holds the newest headers; filtered by destination
    const six = s.samplesFor((d) => d === '2001:db8::2', 0, 1000);
    expect(six.length).toBeGreaterThan(10);
    expect(six.every((x) => x.link === 1 && x.data.length === 62)).toBe(true);
    expect(s.samplesFor((d) => d === '10.0.0.2', 0, 5)).toHaveLength(5);
  });

  it('feeds a Detector that sees the flood at its real rate (N × samples)', () => {
    const det = new Detector(
      parseDetectionConfig({
        networks: ['10.0.0.0/24'],
        thresholds: { host: { incoming: { pps: 2000 } } },
      }),
      { node: 'agent' },
    );
    // in record time, as replay does (the agent itself ticks by wall clock)
    const driver = new TimeDriver(det);
    const s = new PacketSampler(20, 64, (b) => driver.feed(b, ['agent']), lcg(3));
    // 30 000 packets over 3 s = 10 000 pps to 10.0.0.2
    const t0 = 1_700_000_000;
    const frames = Array.from({ length: 30_000 }, () =>
      ether(ipv4Udp([192, 0, 2, 9], [10, 0, 0, 2], 27015, 400)),
    );
    const bytes = pcap(frames, true, false, t0);
    // rewrite timestamps: 10 000 per second
    const dv = new DataView(bytes.buffer);
    let o = 24;
    for (let k = 0; k < frames.length; k++) {
      dv.setUint32(o, t0 + Math.floor(k / 10_000), true);
      dv.setUint32(o + 4, (k % 10_000) * 100, true);
      o += 16 + frames[k]!.length;
    }
    new PcapStream(s.record).push(bytes);
    s.flushNow();
    driver.drain(5000);
    const events = driver.events;
    const start = events.find((e) => e.kind === 'start');
    expect(start, JSON.stringify(det.stats())).toBeDefined();
    expect(start!.target).toBe('10.0.0.2/32');
    expect(start!.family).toBe('udp_flood');
    expect(start!.signature.destinationPorts).toEqual([27015]);
    // the estimate over the attack: samples × 20 ≈ 10 000 pps (random skips: within a factor of 2)
    const peak = Math.max(...events.filter((e) => e.attackId === start!.attackId).map((e) => e.peakPps));
    expect(peak).toBeGreaterThan(5000);
    expect(peak).toBeLessThan(20_000);
  });
});
