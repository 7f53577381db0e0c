// Column layout of the per-target counters: every measure the detector sums over its sliding window.
// One record adds to a fixed subset of these columns; the same function subtracts it when it expires.

export const M_PKTS = 0;
export const M_BYTES = 1;
export const M_FLOWS = 2;
export const M_TCP_PKTS = 3;
export const M_UDP_PKTS = 4;
export const M_ICMP_PKTS = 5;
export const M_OTHER_PKTS = 6;
export const M_TCP_BYTES = 7;
export const M_UDP_BYTES = 8;
export const M_ICMP_BYTES = 9;
export const M_OTHER_BYTES = 10;
/** SYN set, ACK clear: connection attempts. */
export const M_SYN = 11;
/** ACK set (any). */
export const M_ACK = 12;
/** RST set (any). */
export const M_RST = 13;
/** FIN, PSH, URG, ECE or CWR set. */
export const M_FLAGS_OTHER = 14;
/** Only ACK and/or RST set: the signature of ACK/RST floods. */
export const M_ACK_RST_ONLY = 15;
/** Any IP fragment. */
export const M_FRAG = 16;
/** Non-first fragments (no L4 header, ports read as 0). */
export const M_FRAG_LATER = 17;
/** IP protocol 47. */
export const M_GRE_PKTS = 18;
/** UDP packets from the amplification source ports below, one column each. */
export const M_AMP0 = 19;

/** Well-known UDP amplification source ports and the family each one names. */
export const AMP_PORTS = [
  { port: 53, family: 'dns_amplification' },
  { port: 123, family: 'ntp_amplification' },
  { port: 11211, family: 'memcached_amplification' },
  { port: 1900, family: 'ssdp_amplification' },
  { port: 389, family: 'cldap_amplification' },
  { port: 19, family: 'chargen_amplification' },
  { port: 161, family: 'snmp_amplification' },
] as const;

/** Upper bounds (inclusive) of the packet-size histogram bins in bytes, the last bin open-ended. */
export const SIZE_BINS = [64, 128, 256, 512, 1024, 1400, 1500] as const;
export const M_SIZE0 = M_AMP0 + AMP_PORTS.length;
export const METRIC_COUNT = M_SIZE0 + SIZE_BINS.length + 1;

/** Amplification port → index in AMP_PORTS, or 255. */
export const AMP_INDEX = new Uint8Array(65536).fill(255);
for (let i = 0; i < AMP_PORTS.length; i++) AMP_INDEX[(AMP_PORTS[i] as { port: number }).port] = i;

/** Histogram bin of an average packet size. */
export function sizeBin(size: number): number {
  for (let i = 0; i < SIZE_BINS.length; i++) if (size <= (SIZE_BINS[i] as number)) return i;
  return SIZE_BINS.length;
}

/** Protocol class of a record. */
export const PC_TCP = 0;
export const PC_UDP = 1;
export const PC_ICMP = 2;
export const PC_OTHER = 3;
export function protoClass(proto: number): number {
  if (proto === 6) return PC_TCP;
  if (proto === 17) return PC_UDP;
  if (proto === 1 || proto === 58) return PC_ICMP;
  return PC_OTHER;
}

// Threshold measures, in the order of the rate-limit keys: each names its counter column and its scale
// (8 for the bit rates, whose columns count bytes). One table; the hot path reads the arrays derived from it.
const LIMIT_MEASURES = [
  { key: 'pps', column: M_PKTS, scale: 1 },
  { key: 'bps', column: M_BYTES, scale: 8 },
  { key: 'flowsPerSecond', column: M_FLOWS, scale: 1 },
  { key: 'synPps', column: M_SYN, scale: 1 },
  { key: 'tcpPps', column: M_TCP_PKTS, scale: 1 },
  { key: 'tcpBps', column: M_TCP_BYTES, scale: 8 },
  { key: 'udpPps', column: M_UDP_PKTS, scale: 1 },
  { key: 'udpBps', column: M_UDP_BYTES, scale: 8 },
  { key: 'icmpPps', column: M_ICMP_PKTS, scale: 1 },
  { key: 'icmpBps', column: M_ICMP_BYTES, scale: 8 },
] as const;
export type LimitKey = (typeof LIMIT_MEASURES)[number]['key'];
export const LIMIT_KEYS: readonly LimitKey[] = LIMIT_MEASURES.map((m) => m.key);
export const LIMIT_COLUMN: readonly number[] = LIMIT_MEASURES.map((m) => m.column);
export const LIMIT_SCALE: readonly number[] = LIMIT_MEASURES.map((m) => m.scale);
export const LIMIT_COUNT = LIMIT_MEASURES.length;

// Baselined measures (issue 4: pps, bps, SYN rate and protocol mix, each separately); `bits`: a bit rate
// (its floor is minBps), else a packet rate (floor minPps).
const BASE_MEASURES = [
  { key: 'pps', column: M_PKTS, scale: 1, bits: false },
  { key: 'bps', column: M_BYTES, scale: 8, bits: true },
  { key: 'synPps', column: M_SYN, scale: 1, bits: false },
  { key: 'tcpPps', column: M_TCP_PKTS, scale: 1, bits: false },
  { key: 'udpPps', column: M_UDP_PKTS, scale: 1, bits: false },
  { key: 'icmpPps', column: M_ICMP_PKTS, scale: 1, bits: false },
  { key: 'otherPps', column: M_OTHER_PKTS, scale: 1, bits: false },
] as const;
export type BaseKey = (typeof BASE_MEASURES)[number]['key'];
export const BASE_KEYS: readonly BaseKey[] = BASE_MEASURES.map((m) => m.key);
export const BASE_COLUMN: readonly number[] = BASE_MEASURES.map((m) => m.column);
export const BASE_SCALE: readonly number[] = BASE_MEASURES.map((m) => m.scale);
export const BASE_COUNT = BASE_MEASURES.length;
/** True for measures in bits per second (floor minBps), false for packet rates (floor minPps). */
export const BASE_IS_BITS: readonly boolean[] = BASE_MEASURES.map((m) => m.bits);
