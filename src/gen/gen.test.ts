import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../flow/capture.js';
import { CollectingSink } from '../flow/sink.js';
import { FRAG_LATER } from '../flow/batch.js';
import { wordsToIpString } from '../net/index.js';
import { batchesToPcap, buildFrame } from './packet.js';
import { Rng } from './rng.js';
import { ATTACK_SHAPES } from './shapes.js';
import { Scenario, type ScenarioSpec } from './traffic.js';

const T0 = 1_700_000_000_000;
const spec: ScenarioSpec = {
  seed: 42,
  startMs: T0,
  durationMs: 2000,
  benign: {
    hosts: ['203.0.113.1', '2001:db8::1'],
    ppsPerHost: 300,
    responseRatio: 1,
    diurnalAmplitude: 0.5,
    burstiness: 0.2,
  },
  attacks: Object.keys(ATTACK_SHAPES).map((f, k) => ({
    family: f as keyof typeof ATTACK_SHAPES,
    target: k % 2 ? '2001:db8::9' : '203.0.113.9',
    pps: 100,
    startMs: T0 + 500,
    durationMs: 1000,
  })),
  output: { kind: 'sampled', samplingRate: 1, format: 'pcap' },
};

function generate(s: ScenarioSpec) {
  const sink = new CollectingSink();
  const sc = new Scenario(s);
  sc.run(sink);
  return { batches: sink.batches(), count: sink.count, totals: sc.totals };
}

describe('traffic generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generate(spec);
    const b = generate(spec);
    const c = generate({ ...spec, seed: 43 });
    expect(a.count).toBe(b.count);
    expect(Buffer.compare(batchesToPcap(a.batches), batchesToPcap(b.batches))).toBe(0);
    expect(Buffer.compare(batchesToPcap(a.batches), batchesToPcap(c.batches))).not.toBe(0);
  });

  it('Rng.poisson has the requested mean', () => {
    const r = new Rng(1);
    let s = 0;
    for (let k = 0; k < 20_000; k++) s += r.poisson(3.5);
    expect(s / 20_000).toBeCloseTo(3.5, 1);
  });

  it('frames decode back (via src/flow) to the records they were built from, both families, every family shape', () => {
    const { batches, count } = generate(spec);
    const pcap = batchesToPcap(batches);
    const res = decodeCapture(pcap, { mode: 'raw' });
    expect(res.skipped).toBe(0);
    const want = new Map<string, number>();
    const key = (
      fam: number,
      src: string,
      dst: string,
      proto: number,
      sp: number,
      dp: number,
      later: boolean,
    ) => `${fam} ${src} ${dst} ${proto} ${later ? 0 : sp} ${later ? 0 : dp}`;
    for (const b of batches)
      for (let i = 0; i < b.length; i++) {
        const f = b.family[i] === 6 ? 6 : 4;
        const k = key(
          f,
          wordsToIpString(b.srcAddr, i * 4, f),
          wordsToIpString(b.dstAddr, i * 4, f),
          b.proto[i]!,
          b.srcPort[i]!,
          b.dstPort[i]!,
          (b.fragment[i]! & FRAG_LATER) !== 0,
        );
        want.set(k, (want.get(k) ?? 0) + 1);
      }
    let got = 0;
    for (const b of res.sink.batches())
      for (let i = 0; i < b.length; i++) {
        const f = b.family[i] === 6 ? 6 : 4;
        const k = key(
          f,
          wordsToIpString(b.srcAddr, i * 4, f),
          wordsToIpString(b.dstAddr, i * 4, f),
          b.proto[i]!,
          b.srcPort[i]!,
          b.dstPort[i]!,
          (b.fragment[i]! & FRAG_LATER) !== 0,
        );
        expect(want.get(k), k).toBeGreaterThan(0);
        want.set(k, want.get(k)! - 1);
        got++;
      }
    expect(got).toBe(count);
  });

  it('IPv4 headers carry a valid RFC 791 checksum and the requested length', () => {
    const { batches } = generate({ ...spec, benign: undefined });
    const b = batches[0]!;
    for (let i = 0; i < Math.min(b.length, 200); i++) {
      if (b.family[i] !== 4) continue;
      const f = buildFrame(b, i, i);
      let acc = 0;
      for (let k = 14; k < 34; k += 2) acc += (f[k]! << 8) | f[k + 1]!;
      while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
      expect(acc).toBe(0xffff);
      expect((f[16]! << 8) | f[17]!).toBe(f.length - 14);
    }
  });
});
