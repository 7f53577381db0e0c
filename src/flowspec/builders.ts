// Builders for the engine and adapters: term lists for the common shapes (value sets, ranges, TCP
// flags, fragments) and a match from a detection Signature. They build exactly what is asked; run
// validateFlowSpec on the result before announcing it.
import type { Signature } from '../domain/attack.js';
import { parsePrefix, formatPrefix } from '../net/index.js';
import { FRAGMENT_FLAGS, TCP_FLAGS, type FragmentFlagName, type TcpFlagName } from './components.js';
import type { BitmaskTerm, FlowSpecMatch, FlowSpecPrefix, NumericTerm } from './types.js';

/** value == v1 OR value == v2 … (duplicates kept out, order kept). */
export function numericEq(values: readonly number[]): NumericTerm[] {
  if (values.length === 0) throw new RangeError('numericEq needs at least one value');
  const seen = new Set<number>();
  const out: NumericTerm[] = [];
  for (const value of values) {
    if (seen.has(value)) continue;
    seen.add(value);
    out.push({ and: false, lt: false, gt: false, eq: true, value });
  }
  return out;
}

/** min <= value AND value <= max (a single == term when min equals max). */
export function numericRange(min: number, max: number): NumericTerm[] {
  if (min > max) throw new RangeError(`numericRange: min ${min} above max ${max}`);
  if (min === max) return numericEq([min]);
  return [
    { and: false, lt: false, gt: true, eq: true, value: min },
    { and: true, lt: true, gt: false, eq: true, value: max },
  ];
}

function bits<N extends string>(table: Readonly<Record<N, number>>, v: readonly N[] | number): number {
  if (typeof v === 'number') return v;
  let out = 0;
  for (const n of v) out |= table[n];
  return out;
}

/**
 * TCP flags: every flag of `set` present AND (when given) none of `clear` present.
 * e.g. tcpFlagsMatch(['syn'], ['ack']) = "tcp-flags =syn&!ack" (SYN without ACK).
 */
export function tcpFlagsMatch(
  set: readonly TcpFlagName[] | number,
  clear?: readonly TcpFlagName[] | number,
): BitmaskTerm[] {
  const s = bits(TCP_FLAGS, set);
  const out: BitmaskTerm[] = [{ and: false, not: false, match: true, value: s }];
  if (clear !== undefined) out.push({ and: true, not: true, match: false, value: bits(TCP_FLAGS, clear) });
  return out;
}

/** Fragment bits: 'any' = at least one of `flags` set; 'all' = every one set; negate = the opposite. */
export function fragmentMatch(
  flags: readonly FragmentFlagName[] | number,
  mode: 'any' | 'all' = 'any',
  negate = false,
): BitmaskTerm[] {
  return [{ and: false, not: negate, match: mode === 'all', value: bits(FRAGMENT_FLAGS, flags) }];
}

/** A prefix component from text (canonicalised; host bits set are refused by parsePrefix). */
export function prefixComponent(text: string, offset?: number): FlowSpecPrefix {
  const prefix = formatPrefix(parsePrefix(text));
  return offset ? { prefix, offset } : { prefix };
}

/**
 * FlowSpec matches for an attack signature against `target`. A rule holds one source prefix, so
 * each dominant source prefix gets its own match (never dropped: dropping it would match more).
 */
export function matchFromSignature(family: 4 | 6, target: string, sig: Signature): FlowSpecMatch[] {
  const base: Record<string, unknown> = { family, destination: prefixComponent(target) };
  if (sig.protocols !== undefined && sig.protocols.length > 0) base.ipProtocol = numericEq(sig.protocols);
  if (sig.destinationPorts !== undefined && sig.destinationPorts.length > 0)
    base.destinationPort = numericEq(sig.destinationPorts);
  if (sig.sourcePorts !== undefined && sig.sourcePorts.length > 0)
    base.sourcePort = numericEq(sig.sourcePorts);
  if (sig.tcpFlags !== undefined && sig.tcpFlags !== 0) base.tcpFlags = tcpFlagsMatch(sig.tcpFlags);
  if (sig.packetLength !== undefined)
    base.packetLength = numericRange(sig.packetLength.min, sig.packetLength.max);
  if (sig.fragment === true) base.fragment = fragmentMatch(['is-fragment']);
  const sources = sig.sourcePrefixes ?? [];
  if (sources.length === 0) return [base as unknown as FlowSpecMatch];
  return sources.map((s) => ({ ...base, source: prefixComponent(s) }) as unknown as FlowSpecMatch);
}
