import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatPrefix, parsePrefix, prefixContains } from '../net/prefix.js';
import { VrpTable, type RovState } from './table.js';
import { type Vrp, makeVrp } from './vrp.js';

const table = new VrpTable([
  makeVrp('203.0.113.0/24', 24, 64500),
  makeVrp('198.51.100.0/24', 32, 65002),
  makeVrp('198.51.100.0/22', 22, 65003),
  makeVrp('2001:db8::/32', 48, 64500),
  makeVrp('2001:db8:ff00::/40', 40, 0), // AS0: nobody may originate
]);

describe('route origin validation (RFC 6811 §2)', () => {
  it.each<[string, number, RovState]>([
    ['203.0.113.0/24', 64500, 'valid'],
    ['203.0.113.5/32', 64500, 'invalid'], // longer than maxLength
    ['203.0.113.0/24', 65002, 'invalid'], // wrong origin
    ['203.0.112.0/23', 64500, 'not-found'], // shorter than the VRP: not covered
    ['192.0.2.0/24', 64500, 'not-found'],
    ['198.51.100.7/32', 65002, 'valid'], // maxLength 32 covers a blackhole /32
    ['198.51.100.7/32', 65003, 'invalid'], // the /22 covers it but only at /22
    ['198.51.100.0/22', 65003, 'valid'],
    ['2001:db8:1::/48', 64500, 'valid'],
    ['2001:db8:1::1/128', 64500, 'invalid'],
    ['2001:db8:ff00::/40', 64500, 'valid'], // the /32's maxLength 48 authorises AS64500 despite the AS0 VRP
    ['2001:db9::/32', 64500, 'not-found'],
  ])('%s from AS%i is %s', (p, asn, want) => {
    expect(table.state(parsePrefix(p), asn)).toBe(want);
    expect(table.validate(parsePrefix(p), asn).state).toBe(want);
  });

  it('AS 0 VRPs never validate, and origin AS 0 matches nothing', () => {
    const t = new VrpTable([makeVrp('10.0.0.0/8', 24, 0)]);
    expect(t.state(parsePrefix('10.1.0.0/16'), 0)).toBe('invalid');
    expect(t.state(parsePrefix('10.1.0.0/16'), 64500)).toBe('invalid');
  });

  it('reports the matched and the covering VRPs', () => {
    const r = table.validate(parsePrefix('198.51.100.7/32'), 65002);
    expect(r.matched.map((v) => v.asn)).toEqual([65002]);
    expect(r.covering.map((v) => v.asn).sort()).toEqual([65002, 65003]);
  });

  it('keeps each triple once', () => {
    const t = new VrpTable([
      makeVrp('10.0.0.0/8', 8, 1),
      makeVrp('10.0.0.0/8', 8, 1),
      makeVrp('10.0.0.0/8', 9, 1),
    ]);
    expect(t.size).toBe(2);
    expect(t.count(4)).toBe(2);
    expect(t.count(6)).toBe(0);
  });
});

// brute force over the same VRPs: the definition in RFC 6811 §2, read literally
function bruteForce(vrps: readonly Vrp[], route: string, asn: number): RovState {
  const p = parsePrefix(route);
  const covering = vrps.filter(
    (v) => v.prefix.family === p.family && v.prefix.length <= p.length && prefixContains(v.prefix, p),
  );
  if (covering.some((v) => v.asn !== 0 && asn !== 0 && v.asn === asn && p.length <= v.maxLength))
    return 'valid';
  return covering.length ? 'invalid' : 'not-found';
}

const v4Prefix = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 8, max: 32 }))
  .map(([a, b, len]) => parsePrefix(`10.${a}.${b * 64}.0/${len}`, { strict: false }));
const v6Prefix = fc
  .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 16, max: 128 }))
  .map(([a, len]) => parsePrefix(`2001:db8:${a.toString(16)}00::/${len}`, { strict: false }));

describe('property: the table agrees with the brute-force definition', () => {
  test.prop(
    [
      fc.array(
        fc.tuple(
          fc.oneof(v4Prefix, v6Prefix),
          fc.integer({ min: 0, max: 128 }),
          fc.integer({ min: 0, max: 3 }),
        ),
        { maxLength: 40 },
      ),
      fc.array(fc.tuple(fc.oneof(v4Prefix, v6Prefix), fc.integer({ min: 0, max: 3 })), {
        minLength: 1,
        maxLength: 20,
      }),
    ],
    { numRuns: 300 },
  )('valid / invalid / not-found', (raw, routes) => {
    const vrps: Vrp[] = raw.map(([prefix, extra, asn]) => ({
      prefix,
      maxLength: Math.min(prefix.length + (extra % 9), prefix.family === 4 ? 32 : 128),
      asn,
    }));
    const t = new VrpTable(vrps);
    for (const [route, asn] of routes) {
      const want = bruteForce(vrps, formatPrefix(route), asn);
      expect(t.state(route, asn)).toBe(want);
      expect(t.validate(route, asn).state).toBe(want);
    }
  });
});
