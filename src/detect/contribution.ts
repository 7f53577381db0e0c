// What one record adds to a target's window sums: its protocol class and a contribution mask worked
// out once per record (contributionMask), and the one kernel (addKernelAt) that adds them to a metric
// vector — live sums, bucket aggregates (buckets.ts), decay vectors and a signature's mix alike.

import * as MX from './metrics.js';
import type { RowStore } from './rows.js';
import * as FB from '../flow/batch.js';

// Local copies: module-namespace lookups in the per-record path cost more than they should under some loaders.
const AMP_INDEX = MX.AMP_INDEX;
const M_ACK = MX.M_ACK;
const M_ACK_RST_ONLY = MX.M_ACK_RST_ONLY;
const M_AMP0 = MX.M_AMP0;
const M_BYTES = MX.M_BYTES;
const M_FLAGS_OTHER = MX.M_FLAGS_OTHER;
const M_FLOWS = MX.M_FLOWS;
const M_FRAG = MX.M_FRAG;
const M_FRAG_LATER = MX.M_FRAG_LATER;
const M_GRE_PKTS = MX.M_GRE_PKTS;
const M_PKTS = MX.M_PKTS;
const M_RST = MX.M_RST;
const M_SIZE0 = MX.M_SIZE0;
const M_SYN = MX.M_SYN;
const M_TCP_PKTS = MX.M_TCP_PKTS;
const PC_ICMP = MX.PC_ICMP;
const PC_TCP = MX.PC_TCP;
const PC_UDP = MX.PC_UDP;
const protoClass = MX.protoClass;
const sizeBin = MX.sizeBin;
const FRAG_IS_FRAGMENT = FB.FRAG_IS_FRAGMENT;
const FRAG_LATER = FB.FRAG_LATER;

const TCP_FIN = 0x01,
  TCP_SYN = 0x02,
  TCP_RST = 0x04,
  TCP_PSH = 0x08,
  TCP_ACK = 0x10,
  TCP_URG = 0x20,
  TCP_ECE = 0x40,
  TCP_CWR = 0x80;
const OTHER_FLAGS = TCP_FIN | TCP_PSH | TCP_URG | TCP_ECE | TCP_CWR;

/** Column count of host sets: the measures thresholds and baselines need (M_PKTS .. M_SYN). */
export const HOST_WIDTH = M_SYN + 1;

/** First column carried in a contribution mask: bit k of the mask stands for column M_SYN + k. */
const MASK_BASE = M_SYN;

/**
 * The columns past the protocol classes that a record adds its packets to, as a bit mask (bit k =
 * column M_SYN + k): SYN-without-ACK, the other TCP flag measures, UDP amplification source ports, GRE,
 * fragments and the packet-size bin. Computed once per record; host sets use only bit 0 (M_SYN).
 */
export function contributionMask(
  proto: number,
  flags: number,
  frag: number,
  srcPort: number,
  size: number,
): number {
  const pc = protoClass(proto);
  let m = 0;
  if (pc === PC_TCP) {
    if (flags & TCP_SYN && !(flags & TCP_ACK)) m |= 1 << (M_SYN - MASK_BASE);
    if (flags & TCP_ACK) m |= 1 << (M_ACK - MASK_BASE);
    if (flags & TCP_RST) m |= 1 << (M_RST - MASK_BASE);
    if (flags & OTHER_FLAGS) m |= 1 << (M_FLAGS_OTHER - MASK_BASE);
    if (flags !== 0 && (flags & ~(TCP_ACK | TCP_RST)) === 0) m |= 1 << (M_ACK_RST_ONLY - MASK_BASE);
  } else if (pc === PC_UDP) {
    const a = AMP_INDEX[srcPort] as number;
    if (a !== 255) m |= 1 << (M_AMP0 + a - MASK_BASE);
  } else if (pc !== PC_ICMP && proto === 47) m |= 1 << (M_GRE_PKTS - MASK_BASE);
  if (frag & FRAG_IS_FRAGMENT) m |= 1 << (M_FRAG - MASK_BASE);
  if (frag & FRAG_LATER) m |= 1 << (M_FRAG_LATER - MASK_BASE);
  m |= 1 << (M_SIZE0 + sizeBin(size) - MASK_BASE);
  return m >>> 0;
}

/**
 * Adds packets, bytes and flows (read from amt[j ..], j+1, j+2) of protocol class pc with contribution
 * mask `mask` to the metric vector at sums[s ..]; columns at or past `width` are skipped (host sets keep
 * only the threshold measures; classification reads the rows). Subtracting is adding the negated amounts,
 * so sums return to zero when a bucket leaves the window. The amounts come in an array, not as arguments:
 * a double argument of a call that is not inlined is boxed (an allocation per call on the per-record path).
 */
export function addKernelAt(
  sums: Float64Array,
  s: number,
  width: number,
  amt: Float64Array,
  j: number,
  pc: number,
  mask: number,
): void {
  const p = amt[j] as number;
  const b = amt[j + 1] as number;
  sums[s + M_PKTS] = (sums[s + M_PKTS] as number) + p;
  sums[s + M_BYTES] = (sums[s + M_BYTES] as number) + b;
  sums[s + M_FLOWS] = (sums[s + M_FLOWS] as number) + (amt[j + 2] as number);
  sums[s + M_TCP_PKTS + pc] = (sums[s + M_TCP_PKTS + pc] as number) + p;
  sums[s + M_TCP_PKTS + 4 + pc] = (sums[s + M_TCP_PKTS + 4 + pc] as number) + b;
  let m = width <= M_SYN + 1 ? mask & 1 : mask;
  while (m !== 0) {
    const low = m & -m;
    const c = s + MASK_BASE + 31 - Math.clz32(low);
    sums[c] = (sums[c] as number) + p;
    m ^= low;
  }
}

/**
 * addKernelAt into two vectors at once, x[sx ..] the amounts at amt[jx ..] and y[sy ..] those at
 * amt[jy ..] (a target's live sums and what leaves with its bucket; a record's first part and its
 * decay): the columns are worked out once.
 */
export function addKernel2(
  x: Float64Array,
  sx: number,
  jx: number,
  y: Float64Array,
  sy: number,
  jy: number,
  width: number,
  amt: Float64Array,
  pc: number,
  mask: number,
): void {
  const p = amt[jx] as number;
  const b = amt[jx + 1] as number;
  const q = amt[jy] as number;
  const d = amt[jy + 1] as number;
  x[sx + M_PKTS] = (x[sx + M_PKTS] as number) + p;
  y[sy + M_PKTS] = (y[sy + M_PKTS] as number) + q;
  x[sx + M_BYTES] = (x[sx + M_BYTES] as number) + b;
  y[sy + M_BYTES] = (y[sy + M_BYTES] as number) + d;
  x[sx + M_FLOWS] = (x[sx + M_FLOWS] as number) + (amt[jx + 2] as number);
  y[sy + M_FLOWS] = (y[sy + M_FLOWS] as number) + (amt[jy + 2] as number);
  const cp = M_TCP_PKTS + pc;
  const cb = M_TCP_PKTS + 4 + pc;
  x[sx + cp] = (x[sx + cp] as number) + p;
  y[sy + cp] = (y[sy + cp] as number) + q;
  x[sx + cb] = (x[sx + cb] as number) + b;
  y[sy + cb] = (y[sy + cb] as number) + d;
  let m = width <= M_SYN + 1 ? mask & 1 : mask;
  while (m !== 0) {
    const low = m & -m;
    const c = MASK_BASE + 31 - Math.clz32(low);
    x[sx + c] = (x[sx + c] as number) + p;
    y[sy + c] = (y[sy + c] as number) + q;
    m ^= low;
  }
}

/**
 * Sets row r's protocol class and contribution mask from its own columns (proto, flags, frag, srcPort,
 * size), for code that fills a RowStore itself: rows without them count nothing past packets and bytes.
 */
export function classifyRow(rows: RowStore, r: number): void {
  const proto = rows.proto[r] as number;
  rows.pclass[r] = protoClass(proto);
  rows.mask[r] = contributionMask(
    proto,
    rows.flags[r] as number,
    rows.frag[r] as number,
    rows.srcPort[r] as number,
    rows.size[r] as number,
  );
}

/** addContribution's signed amounts (packets, bytes, flows) for addKernelAt. */
const rowAmounts = new Float64Array(3);

/** Adds (sign 1) or subtracts (sign -1) row r to the metric vector at sums[s ..] (see addKernelAt). */
export function addContribution(
  sums: Float64Array,
  s: number,
  width: number,
  rows: RowStore,
  r: number,
  sign: number,
): void {
  rowAmounts[0] = (rows.pkts[r] as number) * sign;
  rowAmounts[1] = (rows.bytes[r] as number) * sign;
  rowAmounts[2] = (rows.flows[r] as number) * sign;
  addKernelAt(sums, s, width, rowAmounts, 0, rows.pclass[r] as number, rows.mask[r] as number);
}
