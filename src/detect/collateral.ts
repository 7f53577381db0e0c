// Collateral-damage measurement: which of a target's window rows an active rule's FlowSpec match covers
// (RFC 8955 §4.2.2 component semantics, §4.2.1 operators: AND binds tighter than OR) and which the
// attack's signature describes. The rest is the target's legitimate traffic, reported to the engine so
// that a rule that collapses it is narrowed (docs/engine.md "Collateral rollback"). Rows carry the
// average packet length, the OR of TCP flags and the first 64 bits of the source; what a row cannot
// tell (ICMP type/code, DSCP, flow label, long IPv6 sources) is taken as covered, so legitimate traffic
// is never overstated and a rule is never kept because a component could not be read.
import type { Signature } from '../domain/attack.js';
import type { Rule } from '../domain/rule.js';
import type { BitmaskTerm, FlowSpecMatch, NumericTerm } from '../flowspec/types.js';
import { FRAG_FIRST, FRAG_IS_FRAGMENT, FRAG_LATER } from '../flow/batch.js';
import { tryParsePrefix } from '../net/index.js';
import type { RowStore } from './rows.js';

/** True when row r of st is covered. */
export type RowPredicate = (st: RowStore, r: number) => boolean;

/** Intents that discard or police the traffic they match; the others forward legitimate traffic on. */
const DISCARDING: ReadonlySet<Rule['intent']> = new Set(['blackhole', 'drop', 'rate-limit']);

/** Matches of the active rules that discard or police traffic, by target (canonical prefix text). */
export function discardingMatches(rules: readonly Rule[]): Map<string, FlowSpecMatch[]> {
  const out = new Map<string, FlowSpecMatch[]>();
  for (const r of rules) {
    if (r.state !== 'announced' || !DISCARDING.has(r.intent)) continue;
    const list = out.get(r.target);
    if (list) list.push(r.match);
    else out.set(r.target, [r.match]);
  }
  return out;
}

/** RFC 8955 §4.2.1.1: lt/gt/eq bits per term; AND-chained terms form groups that are ORed. */
export function numericMatch(terms: readonly NumericTerm[], x: number): boolean {
  let any = false;
  let group = true;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i] as NumericTerm;
    const v = (t.lt && x < t.value) || (t.gt && x > t.value) || (t.eq && x === t.value);
    if (i === 0 || !t.and) {
      if (i > 0) any = any || group;
      group = v;
    } else group = group && v;
  }
  return terms.length > 0 && (any || group);
}

/** RFC 8955 §4.2.1.2: match bit set = all bits, clear = any bit; not inverts; AND binds tighter. */
export function bitmaskMatch(terms: readonly BitmaskTerm[], data: number): boolean {
  let any = false;
  let group = true;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i] as BitmaskTerm;
    let v = t.match ? (data & t.value) === t.value : (data & t.value) !== 0;
    if (t.not) v = !v;
    if (i === 0 || !t.and) {
      if (i > 0) any = any || group;
      group = v;
    } else group = group && v;
  }
  return terms.length > 0 && (any || group);
}

/** FlowSpec fragment bits (RFC 8955 §4.2.2.12: IsF 0x02, FF 0x04) of a row. */
function fragmentBits(frag: number): number {
  return (frag & FRAG_IS_FRAGMENT ? 0x02 : 0) | (frag & FRAG_FIRST ? 0x04 : 0);
}

/** Prefix test on the row's source words; undefined when the row cannot tell (longer than 64 bits). */
function sourceTest(prefixText: string): RowPredicate | undefined {
  const p = tryParsePrefix(prefixText, { strict: false });
  if (p === undefined) return undefined;
  const b = p.bytes;
  const w0 = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  const w1 = (((b[4] ?? 0) << 24) | ((b[5] ?? 0) << 16) | ((b[6] ?? 0) << 8) | (b[7] ?? 0)) >>> 0;
  const len = p.length;
  const fam = p.family;
  if (fam === 6 && len > 64) return undefined;
  const m0 = len >= 32 ? 0xffffffff : len <= 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const l1 = len - 32;
  const m1 = l1 >= 32 ? 0xffffffff : l1 <= 0 ? 0 : (0xffffffff << (32 - l1)) >>> 0;
  return (st, r) =>
    st.family[r] === fam &&
    ((st.src0[r] as number) & m0) >>> 0 === (w0 & m0) >>> 0 &&
    (fam === 4 || ((st.src1[r] as number) & m1) >>> 0 === (w1 & m1) >>> 0);
}

/** The rows a FlowSpec match covers (the target's rows are already inside its destination). */
export function matchPredicate(m: FlowSpecMatch): RowPredicate {
  const tests: RowPredicate[] = [];
  if (m.source) {
    const t = sourceTest(m.source.prefix);
    if (t) tests.push(t);
  }
  const ports = (st: RowStore, r: number) => ((st.frag[r] as number) & FRAG_LATER) === 0;
  if (m.ipProtocol) {
    const terms = m.ipProtocol;
    tests.push((st, r) => numericMatch(terms, st.proto[r] as number));
  }
  if (m.port) {
    const terms = m.port;
    tests.push(
      (st, r) =>
        ports(st, r) &&
        (numericMatch(terms, st.srcPort[r] as number) || numericMatch(terms, st.dstPort[r] as number)),
    );
  }
  if (m.destinationPort) {
    const terms = m.destinationPort;
    tests.push((st, r) => ports(st, r) && numericMatch(terms, st.dstPort[r] as number));
  }
  if (m.sourcePort) {
    const terms = m.sourcePort;
    tests.push((st, r) => ports(st, r) && numericMatch(terms, st.srcPort[r] as number));
  }
  if (m.tcpFlags) {
    const terms = m.tcpFlags;
    tests.push((st, r) => st.proto[r] === 6 && bitmaskMatch(terms, st.flags[r] as number));
  }
  if (m.packetLength) {
    const terms = m.packetLength;
    tests.push((st, r) => numericMatch(terms, st.size[r] as number));
  }
  if (m.fragment) {
    const terms = m.fragment;
    tests.push((st, r) => bitmaskMatch(terms, fragmentBits(st.frag[r] as number)));
  }
  return (st, r) => {
    for (const t of tests) if (!t(st, r)) return false;
    return true;
  };
}

/** The rows the attack's signature describes (every component, as a fully narrowed rule would match). */
export function signaturePredicate(sig: Signature): RowPredicate {
  const tests: RowPredicate[] = [];
  const ports = (st: RowStore, r: number) => ((st.frag[r] as number) & FRAG_LATER) === 0;
  if (sig.protocols?.length) {
    const set = new Set(sig.protocols);
    tests.push((st, r) => set.has(st.proto[r] as number));
  }
  if (sig.sourcePorts?.length) {
    const set = new Set(sig.sourcePorts);
    tests.push((st, r) => ports(st, r) && set.has(st.srcPort[r] as number));
  }
  if (sig.destinationPorts?.length) {
    const set = new Set(sig.destinationPorts);
    tests.push((st, r) => ports(st, r) && set.has(st.dstPort[r] as number));
  }
  if (sig.tcpFlags !== undefined && sig.tcpFlags > 0) {
    const f = sig.tcpFlags;
    tests.push((st, r) => ((st.flags[r] as number) & f) === f);
  }
  if (sig.fragment === true) tests.push((st, r) => (st.frag[r] as number) !== 0);
  if (sig.packetLength) {
    const { min, max } = sig.packetLength;
    tests.push((st, r) => (st.size[r] as number) >= min && (st.size[r] as number) <= max);
  }
  if (sig.sourcePrefixes?.length) {
    const srcs = sig.sourcePrefixes.map(sourceTest).filter((t): t is RowPredicate => t !== undefined);
    if (srcs.length === sig.sourcePrefixes.length) tests.push((st, r) => srcs.some((t) => t(st, r)));
  }
  return (st, r) => {
    for (const t of tests) if (!t(st, r)) return false;
    return true;
  };
}
