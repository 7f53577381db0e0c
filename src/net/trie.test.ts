import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { type IpAddress, ipToWords, parseIp } from './address.js';
import {
  type Prefix,
  formatPrefix,
  makePrefix,
  parsePrefix,
  prefixContains,
  prefixEquals,
} from './prefix.js';
import { PrefixTrie } from './trie.js';

const P = (s: string) => parsePrefix(s);
const A = (s: string) => parseIp(s);

function lookupText(t: PrefixTrie<string>, key: IpAddress | Prefix): string | undefined {
  return t.lookup(key)?.value;
}

describe('PrefixTrie', () => {
  it('longest match, default routes, host routes, both families kept apart', () => {
    const t = new PrefixTrie<string>();
    t.insert(P('0.0.0.0/0'), 'v4-default');
    t.insert(P('10.0.0.0/8'), 'ten');
    t.insert(P('10.1.0.0/16'), 'ten-one');
    t.insert(P('10.1.2.3/32'), 'host');
    t.insert(P('::/0'), 'v6-default');
    t.insert(P('2001:db8::/32'), 'doc');
    t.insert(P('2001:db8::1/128'), 'doc-host');
    expect(t.size).toBe(7);
    expect(lookupText(t, A('10.1.2.3'))).toBe('host');
    expect(lookupText(t, A('10.1.2.4'))).toBe('ten-one');
    expect(lookupText(t, A('10.2.0.0'))).toBe('ten');
    expect(lookupText(t, A('11.0.0.0'))).toBe('v4-default');
    expect(lookupText(t, A('2001:db8::1'))).toBe('doc-host');
    expect(lookupText(t, A('2001:db8::2'))).toBe('doc');
    expect(lookupText(t, A('2001:db9::'))).toBe('v6-default');
    // a prefix key only matches entries that contain all of it
    expect(lookupText(t, P('10.0.0.0/15'))).toBe('ten');
    expect(lookupText(t, P('10.1.0.0/16'))).toBe('ten-one');
    expect(lookupText(t, P('0.0.0.0/0'))).toBe('v4-default');
    // IPv4 0.0.0.0 and IPv6 :: share bits but never match across families
    t.remove(P('::/0'));
    expect(lookupText(t, A('::'))).toBeUndefined();
    expect(lookupText(t, A('0.0.0.0'))).toBe('v4-default');
  });

  it('exact, replace, remove with path compression intact', () => {
    const t = new PrefixTrie<number>();
    t.insert(P('192.168.0.0/16'), 1);
    t.insert(P('192.168.1.0/24'), 2);
    t.insert(P('192.168.2.0/24'), 3);
    expect(t.exact(P('192.168.0.0/17'))).toBeUndefined();
    expect(t.exact(P('192.168.1.0/24'))?.value).toBe(2);
    t.insert(P('192.168.1.0/24'), 20);
    expect(t.size).toBe(3);
    expect(t.exact(P('192.168.1.0/24'))?.value).toBe(20);
    expect(t.remove(P('192.168.0.0/16'))).toBe(true);
    expect(t.remove(P('192.168.0.0/16'))).toBe(false);
    expect(t.lookup(A('192.168.3.1'))).toBeUndefined();
    expect(t.lookup(A('192.168.2.9'))?.value).toBe(3);
    expect(t.remove(P('192.168.1.0/24'))).toBe(true);
    expect(t.remove(P('192.168.2.0/24'))).toBe(true);
    expect(t.size).toBe(0);
    expect([...t.entries()]).toEqual([]);
  });

  it('lookupWords reads the FlowBatch layout and returns the stored entry object', () => {
    const t = new PrefixTrie<string>();
    t.insert(P('203.0.113.0/24'), 'v4');
    t.insert(P('2001:db8:1::/48'), 'v6');
    const w = new Uint32Array(8);
    ipToWords(A('203.0.113.9'), w, 0);
    ipToWords(A('2001:db8:1:ffff::9'), w, 4);
    const e = t.lookupWords(4, w, 0);
    expect(e?.value).toBe('v4');
    expect(t.lookupWords(4, w, 0)).toBe(e); // same object: nothing allocated per call
    expect(t.lookupWords(6, w, 4)?.value).toBe('v6');
    expect(t.lookupValueWords(6, w, 4)).toBe('v6');
    w[4] = 0x20010db9;
    expect(t.lookupWords(6, w, 4)).toBeUndefined();
  });

  it('entries in address order; coveredBy and covering', () => {
    const t = new PrefixTrie<string>();
    for (const s of [
      '10.0.0.0/8',
      '10.128.0.0/9',
      '10.0.0.0/16',
      '0.0.0.0/0',
      '11.0.0.0/8',
      '::/0',
      '2001:db8::/32',
    ])
      t.insert(P(s), s);
    expect([...t.entries()].map((e) => e.value)).toEqual([
      '0.0.0.0/0',
      '10.0.0.0/8',
      '10.0.0.0/16',
      '10.128.0.0/9',
      '11.0.0.0/8',
      '::/0',
      '2001:db8::/32',
    ]);
    expect([...t.coveredBy(P('10.0.0.0/8'))].map((e) => e.value)).toEqual([
      '10.0.0.0/8',
      '10.0.0.0/16',
      '10.128.0.0/9',
    ]);
    expect([...t.coveredBy(P('10.0.0.0/7'))].map((e) => e.value)).toEqual([
      '10.0.0.0/8',
      '10.0.0.0/16',
      '10.128.0.0/9',
      '11.0.0.0/8',
    ]);
    expect([...t.coveredBy(P('10.64.0.0/10'))]).toEqual([]);
    expect([...t.coveredBy(P('12.0.0.0/8'))]).toEqual([]);
    expect(t.covering(P('10.0.5.0/24')).map((e) => e.value)).toEqual([
      '0.0.0.0/0',
      '10.0.0.0/8',
      '10.0.0.0/16',
    ]);
    expect(t.covering(A('2001:db8::1')).map((e) => e.value)).toEqual(['::/0', '2001:db8::/32']);
  });

  it('stores a masked copy of the prefix', () => {
    const t = new PrefixTrie<number>();
    const p = makePrefix(A('10.9.9.9'), 8);
    t.insert(p, 1);
    p.bytes[0] = 99;
    expect(formatPrefix(t.lookup(A('10.1.1.1'))!.prefix)).toBe('10.0.0.0/8');
  });
});

// ---- property: trie agrees with a brute-force linear longest match ----

/** Prefixes clustered on a few roots so that nesting and branching actually happen. */
function prefixSet(family: 4 | 6) {
  const n = family === 4 ? 4 : 16;
  const bits = n * 8;
  const base = fc.uint8Array({ minLength: n, maxLength: n });
  return fc
    .tuple(
      fc.array(base, { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: n, maxLength: n }), fc.nat(bits)), {
        maxLength: 60,
      }),
    )
    .map(([roots, specs]) =>
      specs.map(([ri, noise, len]) => {
        const root = roots[ri % roots.length] as Uint8Array;
        // keep the first ~len/2 bits from the root and randomise the rest, so prefixes share paths
        const bytes = Uint8Array.from(root);
        const keep = len >>> 1;
        for (let i = keep; i < bits; i++) {
          const m = 0x80 >>> (i & 7);
          if ((noise[i >>> 3] as number) & m) bytes[i >>> 3] = (bytes[i >>> 3] as number) ^ m;
        }
        return makePrefix({ family, bytes }, len);
      }),
    );
}

function bruteLongest(
  list: { prefix: Prefix; value: number }[],
  key: IpAddress | Prefix,
): number | undefined {
  let best: { prefix: Prefix; value: number } | undefined;
  for (const e of list)
    if (prefixContains(e.prefix, key) && (!best || e.prefix.length > best.prefix.length)) best = e;
  return best?.value;
}

for (const family of [4, 6] as const) {
  describe(`IPv${family} trie vs brute force`, () => {
    const n = family === 4 ? 4 : 16;
    it('lookup, lookupWords, exact, coveredBy after inserts and removes', () => {
      fc.assert(
        fc.property(
          prefixSet(family),
          fc.array(fc.uint8Array({ minLength: n, maxLength: n }), { minLength: 1, maxLength: 30 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (prefixes, probes, removals) => {
            const t = new PrefixTrie<number>();
            let model: { prefix: Prefix; value: number }[] = [];
            prefixes.forEach((p, i) => {
              t.insert(p, i);
              model = model.filter((e) => !prefixEquals(e.prefix, p));
              model.push({ prefix: p, value: i });
            });
            for (const r of removals) {
              if (prefixes.length === 0) break;
              const p = prefixes[r % prefixes.length] as Prefix;
              const had = model.some((e) => prefixEquals(e.prefix, p));
              expect(t.remove(p)).toBe(had);
              model = model.filter((e) => !prefixEquals(e.prefix, p));
            }
            expect(t.size).toBe(model.length);
            const words = new Uint32Array(4);
            // probe random addresses plus every stored prefix's first address
            const keys: IpAddress[] = [
              ...probes.map((bytes) => ({ family, bytes })),
              ...prefixes.map((p) => ({ family, bytes: p.bytes })),
            ];
            for (const a of keys) {
              const want = bruteLongest(model, a);
              expect(t.lookup(a)?.value).toBe(want);
              ipToWords(a, words, 0);
              expect(t.lookupWords(family, words, 0)?.value).toBe(want);
            }
            for (const p of prefixes) {
              expect(t.lookup(p)?.value).toBe(bruteLongest(model, p));
              expect(t.exact(p)?.value).toBe(model.find((e) => prefixEquals(e.prefix, p))?.value);
              const inside = model
                .filter((e) => prefixContains(p, e.prefix))
                .map((e) => e.value)
                .sort((x, y) => x - y);
              expect([...t.coveredBy(p)].map((e) => e.value).sort((x, y) => x - y)).toEqual(inside);
            }
            expect([...t.entries()].map((e) => e.value).sort((x, y) => x - y)).toEqual(
              model.map((e) => e.value).sort((x, y) => x - y),
            );
          },
        ),
        { numRuns: 200 },
      );
    });
  });
}
