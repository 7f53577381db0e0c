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

// Threshold measures, in the order of the rate-limit keys; each maps to a counter column and a scale.
export const LIMIT_KEYS = [
  'pps',
  'bps',
  'flowsPerSecond',
  'synPps',
  'tcpPps',
  'tcpBps',
  'udpPps',
  'udpBps',
  'icmpPps',
  'icmpBps',
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];
export const LIMIT_COLUMN: readonly number[] = [
  M_PKTS,
  M_BYTES,
  M_FLOWS,
  M_SYN,
  M_TCP_PKTS,
  M_TCP_BYTES,
  M_UDP_PKTS,
  M_UDP_BYTES,
  M_ICMP_PKTS,
  M_ICMP_BYTES,
];
/** 8 for the bit rates (columns count bytes), 1 otherwise. */
export const LIMIT_SCALE: readonly number[] = [1, 8, 1, 1, 1, 8, 1, 8, 1, 8];
export const LIMIT_COUNT = LIMIT_KEYS.length;

// Baselined measures (issue 4: pps, bps, SYN rate and protocol mix, each separately).
export const BASE_KEYS = ['pps', 'bps', 'synPps', 'tcpPps', 'udpPps', 'icmpPps', 'otherPps'] as const;
export const BASE_COLUMN: readonly number[] = [
  M_PKTS,
  M_BYTES,
  M_SYN,
  M_TCP_PKTS,
  M_UDP_PKTS,
  M_ICMP_PKTS,
  M_OTHER_PKTS,
];
export const BASE_SCALE: readonly number[] = [1, 8, 1, 1, 1, 1, 1];
export const BASE_COUNT = BASE_KEYS.length;
/** True for measures in bits per second (floor minBps), false for packet rates (floor minPps). */
export const BASE_IS_BITS: readonly boolean[] = [false, true, false, false, false, false, false];
