// fast-check arbitraries for FlowSpec matches in canonical form (what the decoder and parser produce):
// canonical prefixes, offset key only when non-zero, first term without the AND bit, values in range.
import fc from 'fast-check';
import { COMPONENT_ORDER, type ComponentSpec, type Family } from '../../src/flowspec/components.js';
import { prefixFromValue } from '../../src/flowspec/prefix.js';
import type { BitmaskTerm, FlowSpecMatch, FlowSpecPrefix, NumericTerm } from '../../src/flowspec/types.js';

function maskedBytes(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = from; i < to; i++) {
    if (((bytes[i >>> 3] as number) >>> (7 - (i & 7))) & 1)
      out[i >>> 3] = (out[i >>> 3] as number) | (0x80 >>> (i & 7));
  }
  return out;
}

export function arbPrefix(family: Family): fc.Arbitrary<FlowSpecPrefix> {
  const bits = family === 4 ? 32 : 128;
  return fc
    .record({
      bytes: fc.uint8Array({ minLength: bits / 8, maxLength: bits / 8 }),
      length: fc.integer({ min: 0, max: bits }),
      offsetSeed: fc.nat(),
      useOffset: family === 6 ? fc.boolean() : fc.constant(false),
    })
    .map(({ bytes, length, offsetSeed, useOffset }) => {
      const offset = useOffset && length > 0 ? offsetSeed % length : 0;
      return prefixFromValue(family, maskedBytes(bytes, offset, length), length, offset);
    });
}

function arbValue(c: ComponentSpec, family: Family): fc.Arbitrary<number> {
  const max = c.max[family];
  // Bias towards the width boundaries (255/256, 65535/65536) where encodings change.
  const edges = [0, 1, 255, 256, 65535, 65536, max].filter((v) => v <= max);
  return fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom(...edges));
}

export function arbNumericTerms(c: ComponentSpec, family: Family): fc.Arbitrary<NumericTerm[]> {
  return fc
    .array(
      fc.record({
        and: fc.boolean(),
        lt: fc.boolean(),
        gt: fc.boolean(),
        eq: fc.boolean(),
        value: arbValue(c, family),
      }),
      {
        minLength: 1,
        maxLength: 6,
      },
    )
    .map((ts) => ts.map((t, i) => (i === 0 ? { ...t, and: false } : t)));
}

export function arbBitmaskTerms(c: ComponentSpec, family: Family): fc.Arbitrary<BitmaskTerm[]> {
  const max = c.max[family];
  return fc
    .array(
      fc.record({
        and: fc.boolean(),
        not: fc.boolean(),
        match: fc.boolean(),
        value: fc.integer({ min: 0, max }),
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    .map((ts) => ts.map((t, i) => (i === 0 ? { ...t, and: false } : t)));
}

/** A canonical match with at least one component. */
export function arbMatch(family?: Family): fc.Arbitrary<FlowSpecMatch> {
  const fam = family === undefined ? fc.constantFrom<Family>(4, 6) : fc.constant(family);
  return fam.chain((f) => {
    const parts: Record<string, fc.Arbitrary<unknown>> = {};
    for (const c of COMPONENT_ORDER) {
      if (!c.families.includes(f)) continue;
      parts[c.key] =
        c.kind === 'prefix'
          ? arbPrefix(f)
          : c.kind === 'numeric'
            ? arbNumericTerms(c, f)
            : arbBitmaskTerms(c, f);
    }
    return fc
      .record(parts, { requiredKeys: [] })
      .filter((r) => Object.keys(r).length > 0)
      .map((r) => ({ family: f, ...r }) as FlowSpecMatch);
  });
}
