// Attack signature → FlowSpec match components (RFC 8955 §4.2.2, RFC 8956 §3). Every component narrows
// the match; nothing is ever dropped to make a rule fit (STYLE.md rule 4), except source prefixes when
// the signature names several: one FlowSpec NLRI carries one source prefix, so a "basic" match omits
// sources and a "full" (narrowed) match carries the source only when there is exactly one.
import type { Signature } from '../domain/attack.js';
import type { BitmaskTerm, FlowSpecMatch, NumericTerm } from '../flowspec/types.js';
import { FRAGMENT_FLAGS } from '../flowspec/components.js';
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

export type MatchDepth = 'destination' | 'basic' | 'full';

/**
 * The match for `destination` narrowed by the signature. basic: protocols, ports, fragments;
 * full: also packet length, TCP flags and a single source prefix (used after a collateral rollback).
 */
export function signatureMatch(
  family: 4 | 6,
  destination: string,
  sig: Signature | undefined,
  depth: MatchDepth,
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
  if (depth === 'full' && sig.tcpFlags !== undefined && sig.tcpFlags > 0)
    m.tcpFlags = allBitsTerm(sig.tcpFlags);
  if (depth === 'full' && sig.packetLength !== undefined) {
    m.packetLength = rangeTerms(sig.packetLength.min, sig.packetLength.max);
  }
  if (sig.fragment === true)
    m.fragment = anyBitsTerm(FRAGMENT_FLAGS['is-fragment'] | FRAGMENT_FLAGS['first-fragment']);
  return m;
}

/** Number of components besides the destination: a narrower match has more. */
export function componentCount(m: FlowSpecMatch): number {
  let n = 0;
  for (const [k, v] of Object.entries(m)) if (k !== 'family' && k !== 'destination' && v !== undefined) n++;
  return n;
}
