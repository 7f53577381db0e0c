// Property/fuzz tests: random datagrams with each format's version prefix and mutations of real exporter
// datagrams never make a decoder throw, hang or write a malformed record; failures are typed and counted.
// (scripts/fuzz-flow.ts runs ≥1M per format; this suite runs ~10k per format.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMATS, FuzzTarget, mutate, randomDatagram, seeds } from '../../test/flow/fuzz-core.js';

const all = seeds();

describe.each(FORMATS)('fuzz %s', (format) => {
  it('random datagrams with the version prefix', () => {
    const t = new FuzzTarget(format);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let s = seed >>> 0 || 1;
        const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
        t.run(randomDatagram(format, r, 600));
      }),
      { numRuns: 4000 },
    );
    const errors = Object.values(t.exp.errors).reduce((a, b) => a + b, 0);
    expect(errors).toBeGreaterThan(0);
  });

  it('mutated real and hand-built datagrams', () => {
    const s = all[format];
    expect(s.length).toBeGreaterThan(0);
    const t = new FuzzTarget(format);
    for (const d of s) t.run(d);
    fc.assert(
      fc.property(fc.nat(s.length - 1), fc.integer(), (k, seed) => {
        let x = seed >>> 0 || 1;
        const r = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
        t.run(mutate(s[k]!, r));
      }),
      { numRuns: 6000 },
    );
    expect(t.exp.records).toBeGreaterThan(0);
  });
});
