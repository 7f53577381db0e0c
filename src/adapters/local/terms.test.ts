import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BitmaskTerm, NumericTerm } from '../../flowspec/types.js';
import { NftRenderError, bitmaskDirect, nftSet, numericIntervals } from './terms.js';

const t = (over: Partial<NumericTerm> & { value: number }): NumericTerm => ({
  and: false,
  lt: false,
  gt: false,
  eq: false,
  ...over,
});

/** RFC 8955 §4.2.1.1 evaluated directly: OR of AND-groups. */
function evalNumeric(terms: readonly NumericTerm[], x: number): boolean {
  let result = false;
  let group: boolean | undefined;
  for (const term of terms) {
    const v = (term.lt && x < term.value) || (term.gt && x > term.value) || (term.eq && x === term.value);
    if (group !== undefined && term.and) group = group && v;
    else {
      if (group !== undefined) result = result || group;
      group = v;
    }
  }
  return result || (group ?? false);
}

describe('numericIntervals', () => {
  it.each([
    ['==53', [t({ eq: true, value: 53 })], '53'],
    ['==53 || ==123', [t({ eq: true, value: 53 }), t({ eq: true, value: 123 })], '{ 53, 123 }'],
    [
      '>=1024 && <=2048',
      [t({ gt: true, eq: true, value: 1024 }), t({ and: true, lt: true, eq: true, value: 2048 })],
      '{ 1024-2048 }',
    ],
    ['!=80 (lt|gt)', [t({ lt: true, gt: true, value: 80 })], '{ 0-79, 81-65535 }'],
    ['>65534', [t({ gt: true, value: 65534 })], '65535'],
    ['true (lt|gt|eq)', [t({ lt: true, gt: true, eq: true, value: 7 })], '{ 0-65535 }'],
  ])('%s', (_n, terms, want) => expect(nftSet(numericIntervals(terms, 65535, 'port'))).toBe(want));

  it('refuses operators that match nothing instead of emitting an empty match', () => {
    expect(() =>
      numericIntervals([t({ gt: true, value: 100 }), t({ and: true, lt: true, value: 50 })], 65535, 'port'),
    ).toThrow(NftRenderError);
    expect(() => numericIntervals([t({ value: 5 })], 65535, 'port')).toThrow(/match no value/);
    expect(() => numericIntervals([], 255, 'proto')).toThrow(/empty/);
  });

  it('matches exactly the values RFC 8955 numeric operators match (property)', () => {
    const term = fc.record({
      and: fc.boolean(),
      lt: fc.boolean(),
      gt: fc.boolean(),
      eq: fc.boolean(),
      value: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(
      fc.property(
        fc.array(term, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 255 }),
        (terms, x) => {
          let ivs;
          try {
            ivs = numericIntervals(terms, 255, 'p');
          } catch (e) {
            // only allowed when nothing in range matches
            for (let y = 0; y <= 255; y++) if (evalNumeric(terms, y)) return false;
            return e instanceof NftRenderError;
          }
          const inSet = ivs.some(([lo, hi]) => x >= lo && x <= hi);
          return inSet === evalNumeric(terms, x);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('bitmaskDirect (tcp flags)', () => {
  const b = (over: Partial<BitmaskTerm> & { value: number }): BitmaskTerm => ({
    and: false,
    not: false,
    match: false,
    ...over,
  });
  it.each([
    ['SYN set (match)', [b({ match: true, value: 0x02 })], [['tcp flags & 0x02 == 0x02']]],
    ['not SYN|ACK all set', [b({ match: true, not: true, value: 0x12 })], [['tcp flags & 0x12 != 0x12']]],
    ['any of RST|FIN', [b({ value: 0x05 })], [['tcp flags & 0x05 != 0x00']]],
    ['none of ACK', [b({ not: true, value: 0x10 })], [['tcp flags & 0x10 == 0x00']]],
    [
      'SYN and not ACK',
      [b({ match: true, value: 0x02 }), b({ and: true, not: true, value: 0x10 })],
      [['tcp flags & 0x02 == 0x02', 'tcp flags & 0x10 == 0x00']],
    ],
    [
      'SYN or RST',
      [b({ match: true, value: 0x02 }), b({ match: true, value: 0x04 })],
      [['tcp flags & 0x02 == 0x02'], ['tcp flags & 0x04 == 0x04']],
    ],
  ])('%s', (_n, terms, want) => expect(bitmaskDirect(terms, 'tcp flags', 8, 'tcp flags')).toEqual(want));

  it('refuses masks wider than the nft field', () => {
    expect(() => bitmaskDirect([b({ value: 0x100 })], 'tcp flags', 8, 'tcp flags')).toThrow(/outside/);
  });
});
