// The signature of a heavy attack is built from a random sample of the target's rows once they pass
// signature.maxRows (so that the detector's tick does not stall flow receiving): the sample must give
// the signature, traffic mix and node shares all the rows give, even when the traffic repeats with a short
// period (a replayed capture, an exporter's fixed interleaving).
import { describe, expect, it } from 'vitest';
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import { classifyRow } from './counters.js';
import { RowStore } from './rows.js';
import { buildProfile } from './signature.js';

const OPTS = { minCoverage: 0.9, maxPorts: 4, maxSourcePrefixes: 8 };

/** Rows for host 1: period-4 pattern of UDP from NTP (3 of 4) and TCP SYN (1 of 4), from 4 source /24s. */
function store(rows: number): RowStore {
  const st = new RowStore(1024);
  st.epoch = 100;
  const b = new FlowBatch(1);
  const i = b.next();
  const targets = Int32Array.of(1, -1, 0, -1, 0, -1);
  for (let n = 0; n < rows; n++) {
    const udp = n % 4 !== 3;
    b.family[i] = 4;
    b.proto[i] = udp ? 17 : 6;
    b.tcpFlags[i] = udp ? 0 : 0x02;
    b.srcPort[i] = udp ? 123 : 40000 + (n % 1000);
    b.dstPort[i] = udp ? 50000 + (n % 7) : 443;
    b.srcAddr[0] = (0xc6336400 + ((n >> 2) % 4) * 256 + (n % 200)) >>> 0;
    b.dstAddr[0] = 0xcb007101;
    b.exporter[i] = n % 3;
    b.format[i] = FORMAT_CODE.sflow5;
    const size = udp ? 468 : 40;
    const r = st.write(b, i, targets, 1000, 1000 * size, 0, size, 0, 0);
    classifyRow(st, r);
  }
  return st;
}

describe('signature from a sample of a heavy attack’s rows', () => {
  it('past maxRows it reads about maxRows rows and finds what all the rows give', () => {
    const st = store(120_000);
    const all = buildProfile([st], 'inHost', 1, OPTS);
    const sample = buildProfile([st], 'inHost', 1, { ...OPTS, maxRows: 16_384 });
    expect(all.rowsRead).toBe(120_000);
    expect(sample.rowsRead).toBeGreaterThan(14_000);
    expect(sample.rowsRead).toBeLessThan(19_000);
    // both packet shapes are in the sample although they repeat with period 4 (a stride would alias)
    expect(all.signature.protocols).toEqual([6, 17]);
    expect(sample.signature).toMatchObject({ ...all.signature, coverage: expect.any(Number) });
    expect(Math.abs(sample.signature.coverage - all.signature.coverage)).toBeLessThan(0.02);
    // the traffic mix (classified by its ratios, each within 2 points, or 2 % past 1) and the node shares
    const ratio = (p: typeof all, m: number) => (p.mix[m] as number) / (p.mix[0] as number);
    for (let m = 0; m < all.mix.length; m++) {
      const want = ratio(all, m);
      expect(Math.abs(ratio(sample, m) - want)).toBeLessThan(0.02 * Math.max(1, want));
    }
    const shares = (p: typeof all) => {
      const t = [...p.byExporter.values()].reduce((a, v) => a + v.packets, 0);
      return [...p.byExporter].map(([ex, v]) => [ex, v.packets / t] as const);
    };
    const want = shares(all);
    const got = shares(sample);
    expect(got.map(([ex]) => ex)).toEqual(want.map(([ex]) => ex));
    got.forEach(([, s], k) => expect(Math.abs(s - (want[k]?.[1] ?? 0))).toBeLessThan(0.01));
    expect(Math.abs(sample.topHostShare - all.topHostShare)).toBeLessThan(0.02);
  });

  it('below maxRows every row is read', () => {
    const st = store(5000);
    const p = buildProfile([st], 'inHost', 1, { ...OPTS, maxRows: 16_384 });
    expect(p.rowsRead).toBe(5000);
    expect(p.signature).toEqual(buildProfile([st], 'inHost', 1, OPTS).signature);
  });
});
