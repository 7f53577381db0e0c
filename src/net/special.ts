// The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 §2.2, updated by RFC 8190 and
// the RFCs named per row), plus the multicast ranges (RFC 5771, RFC 4291 §2.7), which are not in
// those registries but are never a valid mitigation target.

import { type IpAddress } from './address.js';
import { type Prefix, comparePrefix, hostPrefix, parsePrefix } from './prefix.js';
import { PrefixTrie } from './trie.js';

/** `null` is the registry's "N/A" (e.g. a block that is only a container for more specific ones). */
export type RegistryFlag = boolean | null;

export interface SpecialPurposeEntry {
  readonly prefix: Prefix;
  readonly name: string;
  /** Defining document(s) as the registry cites them, e.g. "RFC 1122 §3.2.1.3". */
  readonly rfc: string;
  /** Valid as the source address of a datagram that transits two devices. */
  readonly source: RegistryFlag;
  /** Valid as the destination address of a datagram that transits two devices. */
  readonly destination: RegistryFlag;
  /** A router may forward a datagram with this destination between external interfaces. */
  readonly forwardable: RegistryFlag;
  /** Forwardable beyond one administrative domain. */
  readonly globallyReachable: RegistryFlag;
  /** IP itself treats the block specially (RFC 6890 §2.2.2). */
  readonly reservedByProtocol: RegistryFlag;
  /** Which table the row comes from; 'multicast' rows are ours, not IANA special-purpose rows. */
  readonly registry: 'iana-ipv4-special' | 'iana-ipv6-special' | 'multicast';
  readonly note?: string;
}

type Row = [
  prefix: string,
  name: string,
  rfc: string,
  src: RegistryFlag,
  dst: RegistryFlag,
  fwd: RegistryFlag,
  global: RegistryFlag,
  reserved: RegistryFlag,
  note?: string,
];

const T = true;
const F = false;
const NA = null;

// Columns: prefix, name, RFC, Source, Destination, Forwardable, Globally Reachable, Reserved-by-Protocol.
const IPV4: Row[] = [
  ['0.0.0.0/8', '"This network"', 'RFC 791 §3.2', T, F, F, F, T],
  ['0.0.0.0/32', '"This host on this network"', 'RFC 1122 §3.2.1.3', T, F, F, F, T],
  ['10.0.0.0/8', 'Private-Use', 'RFC 1918', T, T, T, F, F],
  ['100.64.0.0/10', 'Shared Address Space', 'RFC 6598', T, T, T, F, F],
  [
    '127.0.0.0/8',
    'Loopback',
    'RFC 1122 §3.2.1.3',
    F,
    F,
    F,
    F,
    T,
    'some protocols have exceptions (RFC 8029, RFC 5884)',
  ],
  ['169.254.0.0/16', 'Link Local', 'RFC 3927', T, T, F, F, T],
  ['172.16.0.0/12', 'Private-Use', 'RFC 1918', T, T, T, F, F],
  [
    '192.0.0.0/24',
    'IETF Protocol Assignments',
    'RFC 6890 §2.1',
    NA,
    NA,
    NA,
    NA,
    NA,
    'not usable unless by a more specific reservation',
  ],
  ['192.0.0.0/29', 'IPv4 Service Continuity Prefix', 'RFC 7335', T, T, T, F, F],
  ['192.0.0.8/32', 'IPv4 dummy address', 'RFC 7600', T, F, F, F, F],
  ['192.0.0.9/32', 'Port Control Protocol Anycast', 'RFC 7723', T, T, T, T, F],
  ['192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'RFC 8155', T, T, T, T, F],
  ['192.0.0.170/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2', F, F, F, F, T],
  ['192.0.0.171/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2', F, F, F, F, T],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC 5737', F, F, F, F, F],
  ['192.31.196.0/24', 'AS112-v4', 'RFC 7535', T, T, T, T, F],
  ['192.52.193.0/24', 'AMT', 'RFC 7450', T, T, T, T, F],
  ['192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'RFC 7526', NA, NA, NA, NA, NA, 'deprecated 2015-03'],
  ['192.88.99.2/32', '6a44-relay anycast address', 'RFC 6751', T, T, T, F, F],
  ['192.168.0.0/16', 'Private-Use', 'RFC 1918', T, T, T, F, F],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC 7534', T, T, T, T, F],
  ['198.18.0.0/15', 'Benchmarking', 'RFC 2544', T, T, T, F, F],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC 5737', F, F, F, F, F],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC 5737', F, F, F, F, F],
  ['240.0.0.0/4', 'Reserved', 'RFC 1112 §4', F, F, F, F, T],
  ['255.255.255.255/32', 'Limited Broadcast', 'RFC 8190, RFC 919 §7', F, T, F, F, T],
];

const IPV6: Row[] = [
  ['::1/128', 'Loopback Address', 'RFC 4291', F, F, F, F, T],
  ['::/128', 'Unspecified Address', 'RFC 4291', T, F, F, F, T],
  ['::ffff:0:0/96', 'IPv4-mapped Address', 'RFC 4291', F, F, F, F, T],
  ['64:ff9b::/96', 'IPv4-IPv6 Translat.', 'RFC 6052', T, T, T, T, F],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translat.', 'RFC 8215', T, T, T, F, F],
  ['100::/64', 'Discard-Only Address Block', 'RFC 6666', T, T, T, F, F],
  [
    '100:0:0:1::/64',
    'Dummy IPv6 Prefix',
    'RFC 9780',
    T,
    F,
    F,
    F,
    F,
    'flags follow the IPv4 dummy address (RFC 7600) row; re-check against the live registry',
  ],
  [
    '2001::/23',
    'IETF Protocol Assignments',
    'RFC 2928',
    NA,
    NA,
    NA,
    NA,
    NA,
    'container for the more specific assignments',
  ],
  [
    '2001::/32',
    'TEREDO',
    'RFC 4380, RFC 8190',
    T,
    T,
    T,
    NA,
    F,
    'globally reachable: see RFC 8190 (N/A in the registry)',
  ],
  ['2001:1::1/128', 'Port Control Protocol Anycast', 'RFC 7723', T, T, T, T, F],
  ['2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'RFC 8155', T, T, T, T, F],
  ['2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast', 'RFC 9665', T, T, T, T, F],
  ['2001:2::/48', 'Benchmarking', 'RFC 5180, RFC Errata 1752', T, T, T, F, F],
  ['2001:3::/32', 'AMT', 'RFC 7450', T, T, T, T, F],
  ['2001:4:112::/48', 'AS112-v6', 'RFC 7535', T, T, T, T, F],
  ['2001:10::/28', 'Deprecated (previously ORCHID)', 'RFC 4843', NA, NA, NA, NA, NA, 'deprecated 2014-03'],
  ['2001:20::/28', 'ORCHIDv2', 'RFC 7343', T, T, T, T, F],
  ['2001:30::/28', 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', 'RFC 9374', T, T, T, T, F],
  ['2001:db8::/32', 'Documentation', 'RFC 3849', F, F, F, F, F],
  ['2002::/16', '6to4', 'RFC 3056', T, T, T, NA, F, 'globally reachable: N/A in the registry'],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC 7534', T, T, T, T, F],
  ['3fff::/20', 'Documentation', 'RFC 9637', F, F, F, F, F],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC 9602', T, T, T, F, F],
  ['fc00::/7', 'Unique-Local', 'RFC 4193, RFC 8190', T, T, T, F, F],
  ['fe80::/10', 'Link-Local Unicast', 'RFC 4291', T, T, F, F, T],
];

const MULTICAST_NOTE =
  'multicast: not in the special-purpose registry, never a valid unicast mitigation target';
const MULTICAST: Row[] = [
  ['224.0.0.0/4', 'Multicast', 'RFC 5771', F, T, T, NA, T, MULTICAST_NOTE],
  ['ff00::/8', 'Multicast', 'RFC 4291 §2.7', F, T, T, NA, T, MULTICAST_NOTE],
];

function build(rows: Row[], registry: SpecialPurposeEntry['registry']): SpecialPurposeEntry[] {
  return rows.map(
    ([p, name, rfc, source, destination, forwardable, globallyReachable, reservedByProtocol, note]) =>
      Object.freeze({
        prefix: parsePrefix(p),
        name,
        rfc,
        source,
        destination,
        forwardable,
        globallyReachable,
        reservedByProtocol,
        registry,
        ...(note === undefined ? {} : { note }),
      }),
  );
}

/** All rows, IPv4 then IPv6, in address order. */
export const SPECIAL_PURPOSE_ENTRIES: readonly SpecialPurposeEntry[] = Object.freeze(
  [
    ...build(IPV4, 'iana-ipv4-special'),
    ...build(IPV6, 'iana-ipv6-special'),
    ...build(MULTICAST, 'multicast'),
  ].sort((a, b) => comparePrefix(a.prefix, b.prefix)),
);

const table = new PrefixTrie<SpecialPurposeEntry>();
for (const e of SPECIAL_PURPOSE_ENTRIES) table.insert(e.prefix, e);

function asPrefix(x: Prefix | IpAddress): Prefix {
  return typeof (x as Prefix).length === 'number' ? (x as Prefix) : hostPrefix(x);
}

/**
 * Every special-purpose entry that overlaps `key`: the entries containing it (shortest first), then
 * the entries inside it (address order). A prefix that contains a special range counts, so 0.0.0.0/0
 * overlaps every IPv4 row.
 */
export function specialPurposeEntries(key: Prefix | IpAddress): SpecialPurposeEntry[] {
  const p = asPrefix(key);
  const out = table.covering(p).map((e) => e.value);
  for (const e of table.coveredBy(p)) if (e.prefix.length > p.length) out.push(e.value);
  return out;
}

/**
 * The one entry that best describes `key`, or undefined when it touches no special range: the most
 * specific entry containing it (192.0.0.9 → PCP Anycast, not the /24 container); failing that, the
 * first entry inside it in address order, so 0.0.0.0/0 → "This network" 0.0.0.0/8.
 */
export function specialPurposeEntry(key: Prefix | IpAddress): SpecialPurposeEntry | undefined {
  const p = asPrefix(key);
  const containing = table.lookup(p);
  if (containing) return containing.value;
  for (const e of table.coveredBy(p)) return e.value;
  return undefined;
}

/** True when `key` touches no special-purpose or multicast range. */
export function isOrdinaryUnicast(key: Prefix | IpAddress): boolean {
  return specialPurposeEntry(key) === undefined;
}
