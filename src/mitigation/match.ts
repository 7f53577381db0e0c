// Attack signature → FlowSpec match components (RFC 8955 §4.2.2, RFC 8956 §3). Every component narrows
// the match; nothing is ever dropped to make a rule fit (STYLE.md rule 4), except source prefixes when
// the signature names several: one FlowSpec NLRI carries one source prefix, so only a "full" (narrowed
// after a collateral rollback) match carries the source, and only when there is exactly one.
// Detection keeps a component in the signature only while the whole signature still covers at least
// signature.minCoverage of the target's packets (src/detect/signature.ts), so every component taken
// from it here keeps that coverage.
import type { AttackFamily, Signature } from '../domain/attack.js';
import type { BitmaskTerm, FlowSpecMatch, NumericTerm } from '../flowspec/types.js';
import { FRAGMENT_FLAGS, TCP_FLAGS } from '../flowspec/components.js';
import { tryParsePrefix } from '../net/index.js';

/** value₁ OR value₂ OR … (RFC 8955 §4.2.1.1: eq bit set, and bit clear). Sorted, deduplicated. */
export function eqTerms(values: readonly number[]): NumericTerm[] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  return sorted.map((value) => ({ and: false, lt: false, gt: false, eq: true, value }));
}

/** min ≤ x AND x ≤ max. */
export function rangeTerms(min: number, max: number): NumericTerm[] {
  if (min === max) return eqTerms([min]);
  return [
    { and: false, lt: false, gt: true, eq: true, value: min },
    { and: true, lt: true, gt: false, eq: true, value: max },
  ];
}

/** (data & flags) == flags (RFC 8955 §4.2.1.2 match bit set). */
export function allBitsTerm(flags: number): BitmaskTerm[] {
  return [{ and: false, not: false, match: true, value: flags }];
}

/** Any of the bits set: (data & bits) != 0. */
export function anyBitsTerm(bits: number): BitmaskTerm[] {
  return [{ and: false, not: false, match: false, value: bits }];
}

/**
 * How much of the signature a rule carries. destination: the target only (manual rules give their own);
 * basic: protocols, ports, fragments; precise (the policy default): also TCP flags and the packet-length
 * range; full: also a single dominant source prefix (only after a collateral rollback: sources move).
 */
export type MatchDepth = 'destination' | 'basic' | 'precise' | 'full';

/** Depths a policy may choose (policies[].matchDepth). */
export const POLICY_MATCH_DEPTHS = ['basic', 'precise'] as const;

const DEEP: Readonly<Record<MatchDepth, boolean>> = {
  destination: false,
  basic: false,
  precise: true,
  full: true,
};

/**
 * TCP flags term (RFC 8955 §4.2.2.9, bitmask operators §4.2.1.2). A SYN flood is SYN without ACK
 * (classify.ts measures exactly that share): "=syn&!ack" — match bit set on SYN (all of it set), then
 * AND with the not bit on ACK (none of it set), so handshake replies (SYN+ACK) and established traffic
 * pass. Other families: every flag the attack packets all carry ("=ack", "=rst").
 */
export function tcpFlagsTerms(flags: number, attack: AttackFamily | undefined): BitmaskTerm[] {
  if (attack === 'syn_flood' && (flags & TCP_FLAGS.syn) !== 0 && (flags & TCP_FLAGS.ack) === 0) {
    return [
      { and: false, not: false, match: true, value: flags },
      { and: true, not: true, match: false, value: TCP_FLAGS.ack },
    ];
  }
  return allBitsTerm(flags);
}

/**
 * The match for `destination` narrowed by the signature to `depth`; `attack` (the classified family)
 * picks the TCP flags form.
 */
export function signatureMatch(
  family: 4 | 6,
  destination: string,
  sig: Signature | undefined,
  depth: MatchDepth,
  attack?: AttackFamily,
): FlowSpecMatch {
  const m: { -readonly [K in keyof FlowSpecMatch]: FlowSpecMatch[K] } = {
    family,
    destination: { prefix: destination },
  };
  if (sig === undefined || depth === 'destination') return m;
  if (depth === 'full' && sig.sourcePrefixes?.length === 1) {
    const src = tryParsePrefix(sig.sourcePrefixes[0] as string, { strict: false });
    if (src !== undefined && src.family === family) m.source = { prefix: sig.sourcePrefixes[0] as string };
  }
  if (sig.protocols?.length) m.ipProtocol = eqTerms(sig.protocols);
  if (sig.destinationPorts?.length) m.destinationPort = eqTerms(sig.destinationPorts);
  if (sig.sourcePorts?.length) m.sourcePort = eqTerms(sig.sourcePorts);
  const deep = DEEP[depth];
  // TCP flags only where every protocol of the match is TCP: the component never matches other packets.
  const tcpOnly = sig.protocols?.length === 1 && sig.protocols[0] === 6;
  if (deep && tcpOnly && sig.tcpFlags !== undefined && sig.tcpFlags > 0)
    m.tcpFlags = tcpFlagsTerms(sig.tcpFlags, attack);
  if (deep && sig.packetLength !== undefined && sig.packetLength.min <= sig.packetLength.max) {
    m.packetLength = packetLengthTerms(family, sig.packetLength.min, sig.packetLength.max);
  }
  if (sig.fragment === true)
    m.fragment = anyBitsTerm(FRAGMENT_FLAGS['is-fragment'] | FRAGMENT_FLAGS['first-fragment']);
  return m;
}

/**
 * Largest link-layer overhead in a measured packet size: sFlow raw-header samples report the frame
 * length (Ethernet header 14, two VLAN tags 8, FCS 4), NetFlow/IPFIX the IP length.
 */
export const L2_ALLOWANCE = 26;

/**
 * Packet length (RFC 8955 §4.2.2.10: the total IP packet length, header included) for sizes measured
 * in [min, max]. A size measured on the frame is never below the IP length, so the upper bound holds
 * as measured and the lower one moves down by the link-layer allowance — a rule never excludes attack
 * packets because of how the exporter counted them. At or under the smallest IP header the lower
 * bound says nothing and is left out.
 */
export function packetLengthTerms(family: 4 | 6, min: number, max: number): NumericTerm[] {
  const header = family === 4 ? 20 : 40;
  const lo = min - L2_ALLOWANCE;
  if (lo <= header) return [{ and: false, lt: true, gt: false, eq: true, value: max }];
  return rangeTerms(lo, max);
}

/** Number of components besides the destination: a narrower match has more. */
export function componentCount(m: FlowSpecMatch): number {
  let n = 0;
  for (const [k, v] of Object.entries(m)) if (k !== 'family' && k !== 'destination' && v !== undefined) n++;
  return n;
}
