import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseIp } from './address.js';
import { formatPrefix, makePrefix, parsePrefix, prefixOverlaps } from './prefix.js';
import {
  SPECIAL_PURPOSE_ENTRIES,
  isOrdinaryUnicast,
  specialPurposeEntries,
  specialPurposeEntry,
} from './special.js';

const entryFor = (s: string) => {
  const e = specialPurposeEntry(s.includes('/') ? parsePrefix(s) : parseIp(s));
  return e && `${formatPrefix(e.prefix)} ${e.name}`;
};

describe('specialPurposeEntry', () => {
  const cases: [string, string | undefined][] = [
    ['10.1.2.3', '10.0.0.0/8 Private-Use'],
    ['172.31.255.255', '172.16.0.0/12 Private-Use'],
    ['172.32.0.0', undefined],
    ['100.64.0.1', '100.64.0.0/10 Shared Address Space'],
    ['100.128.0.0', undefined],
    ['127.0.0.1', '127.0.0.0/8 Loopback'],
    ['0.0.0.0', '0.0.0.0/32 "This host on this network"'],
    ['0.1.2.3', '0.0.0.0/8 "This network"'],
    ['192.0.0.9', '192.0.0.9/32 Port Control Protocol Anycast'],
    ['192.0.0.10', '192.0.0.10/32 Traversal Using Relays around NAT Anycast'],
    ['192.0.0.100', '192.0.0.0/24 IETF Protocol Assignments'],
    ['192.0.2.55', '192.0.2.0/24 Documentation (TEST-NET-1)'],
    ['198.19.255.255', '198.18.0.0/15 Benchmarking'],
    ['198.20.0.0', undefined],
    ['224.0.0.1', '224.0.0.0/4 Multicast'],
    ['239.255.255.255', '224.0.0.0/4 Multicast'],
    ['240.0.0.1', '240.0.0.0/4 Reserved'],
    ['255.255.255.255', '255.255.255.255/32 Limited Broadcast'],
    ['8.8.8.8', undefined],
    ['1.1.1.0/24', undefined],
    // a prefix that contains a special range overlaps it
    ['0.0.0.0/0', '0.0.0.0/8 "This network"'],
    ['8.0.0.0/6', '10.0.0.0/8 Private-Use'],
    ['192.0.0.0/16', '192.0.0.0/24 IETF Protocol Assignments'],
    ['::1', '::1/128 Loopback Address'],
    ['::', '::/128 Unspecified Address'],
    ['::ffff:1.2.3.4', '::ffff:0.0.0.0/96 IPv4-mapped Address'],
    ['64:ff9b::1.2.3.4', '64:ff9b::/96 IPv4-IPv6 Translat.'],
    ['64:ff9b:1::1', '64:ff9b:1::/48 IPv4-IPv6 Translat.'],
    ['100::1', '100::/64 Discard-Only Address Block'],
    ['2001::1', '2001::/32 TEREDO'],
    ['2001:1::1', '2001:1::1/128 Port Control Protocol Anycast'],
    ['2001:2::1', '2001:2::/48 Benchmarking'],
    ['2001:20::1', '2001:20::/28 ORCHIDv2'],
    ['2001:2f::', '2001:20::/28 ORCHIDv2'],
    ['2001:db8:ffff::', '2001:db8::/32 Documentation'],
    ['2002::1', '2002::/16 6to4'],
    ['3fff:0fff::1', '3fff::/20 Documentation'],
    ['3fff:1000::', undefined],
    ['5f00:1::', '5f00::/16 Segment Routing (SRv6) SIDs'],
    ['fd12:3456::1', 'fc00::/7 Unique-Local'],
    ['fe80::1', 'fe80::/10 Link-Local Unicast'],
    ['febf::1', 'fe80::/10 Link-Local Unicast'],
    ['fec0::1', undefined],
    ['ff02::1', 'ff00::/8 Multicast'],
    ['2a00:1450::1', undefined],
    ['2001:200::/23', undefined],
    ['::/0', '::/128 Unspecified Address'],
    ['2000::/3', '2001::/23 IETF Protocol Assignments'],
  ];
  it.each(cases)('%s → %s', (key, want) => {
    expect(entryFor(key)).toBe(want);
  });

  it('row flags follow the registry', () => {
    const pcp = specialPurposeEntry(parseIp('192.0.0.9'))!;
    expect([
      pcp.source,
      pcp.destination,
      pcp.forwardable,
      pcp.globallyReachable,
      pcp.reservedByProtocol,
    ]).toEqual([true, true, true, true, false]);
    const bcast = specialPurposeEntry(parseIp('255.255.255.255'))!;
    expect([
      bcast.source,
      bcast.destination,
      bcast.forwardable,
      bcast.globallyReachable,
      bcast.reservedByProtocol,
    ]).toEqual([false, true, false, false, true]);
    expect(bcast.rfc).toContain('RFC 8190');
    const container = specialPurposeEntry(parseIp('192.0.0.200'))!;
    expect(container.globallyReachable).toBeNull();
    expect(specialPurposeEntry(parseIp('ff0e::1'))!.registry).toBe('multicast');
    expect(specialPurposeEntry(parseIp('2001:20::1'))!.rfc).toBe('RFC 7343');
  });

  it('specialPurposeEntries lists containing and contained rows', () => {
    const names = (s: string) => specialPurposeEntries(parsePrefix(s)).map((e) => formatPrefix(e.prefix));
    expect(names('192.0.0.9')).toEqual(['192.0.0.0/24', '192.0.0.9/32']);
    expect(names('192.0.0.0/29')).toEqual(['192.0.0.0/24', '192.0.0.0/29']);
    expect(names('192.0.0.0/24')).toEqual([
      '192.0.0.0/24',
      '192.0.0.0/29',
      '192.0.0.8/32',
      '192.0.0.9/32',
      '192.0.0.10/32',
      '192.0.0.170/32',
      '192.0.0.171/32',
    ]);
    expect(names('0.0.0.0/0')).toHaveLength(
      SPECIAL_PURPOSE_ENTRIES.filter((e) => e.prefix.family === 4).length,
    );
    expect(names('8.8.8.0/24')).toEqual([]);
  });

  it('table rows are canonical, unique and cover both families', () => {
    const seen = new Set<string>();
    for (const e of SPECIAL_PURPOSE_ENTRIES) {
      const key = formatPrefix(e.prefix);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    for (const must of [
      '100.64.0.0/10',
      '198.18.0.0/15',
      '240.0.0.0/4',
      '255.255.255.255/32',
      '3fff::/20',
      '2001:20::/28',
      '64:ff9b:1::/48',
      '5f00::/16',
      '224.0.0.0/4',
      'ff00::/8',
    ]) {
      expect(seen.has(must)).toBe(true);
    }
  });

  it('property: specialPurposeEntries(p) equals a linear overlap scan; entry is undefined exactly when it is empty', () => {
    const addr = fc.oneof(
      fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => ({ family: 4 as const, bytes })),
      // bias IPv6 probes onto the interesting 2001::/16 and 0::/16 areas
      fc
        .tuple(
          fc.constantFrom(0x00, 0x20, 0xfe, 0xff, 0x3f, 0x5f, 0x01),
          fc.uint8Array({ minLength: 15, maxLength: 15 }),
        )
        .map(([b0, rest]) => ({
          family: 6 as const,
          bytes: Uint8Array.of(b0, ...rest),
        })),
    );
    fc.assert(
      fc.property(addr, fc.nat(128), (a, n) => {
        const p = makePrefix(a, n % (a.bytes.length * 8 + 1));
        const want = SPECIAL_PURPOSE_ENTRIES.filter((e) => prefixOverlaps(e.prefix, p))
          .map((e) => formatPrefix(e.prefix))
          .sort();
        const got = specialPurposeEntries(p)
          .map((e) => formatPrefix(e.prefix))
          .sort();
        expect(got).toEqual(want);
        expect(specialPurposeEntry(p) === undefined).toBe(want.length === 0);
        expect(isOrdinaryUnicast(p)).toBe(want.length === 0);
      }),
      { numRuns: 500 },
    );
  });
});
