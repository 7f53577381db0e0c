// FlowSpec validator in the BIRD manner: returns every reason a match cannot be announced as written.
// It never shortens, clears or reorders anything (STYLE.md "FlowSpec fails closed"); an empty match is
// refused because it matches all traffic. Checks: component family validity (RFC 8956 §3: flow label
// and prefix offset are IPv6 only, IPv6 has no DF fragment bit), value ranges, prefix length/offset,
// first-term AND bit (RFC 8955 §4.2.1.1), term lists that can never match, and the 4095-octet limit.
import {
  COMPONENTS,
  COMPONENT_ORDER,
  type ComponentKey,
  type ComponentSpec,
  type Family,
} from './components.js';
import { FlowSpecEncodeError } from './errors.js';
import { encodeFlowSpecNlri } from './nlri.js';
import { isPrefixProblem, prefixFromValue, prefixValue } from './prefix.js';
import type { BitmaskTerm, FlowSpecMatch, FlowSpecPrefix, NumericTerm } from './types.js';

export type FlowSpecReason =
  | 'bad-family'
  | 'empty-match'
  | 'unknown-component'
  | 'component-not-in-family'
  | 'empty-component'
  | 'first-term-and'
  | 'value-not-integer'
  | 'value-out-of-range'
  | 'fragment-bits-invalid'
  | 'prefix-invalid'
  | 'prefix-not-canonical'
  | 'offset-invalid'
  | 'terms-never-match'
  | 'components-never-match'
  | 'nlri-too-long';

export interface FlowSpecIssue {
  readonly reason: FlowSpecReason;
  readonly component?: ComponentKey;
  /** Index of the term (or of the first term of the AND group) concerned. */
  readonly term?: number;
  readonly message: string;
}

type Interval = readonly [number, number];

/** The values in [0, max] one numeric term accepts (RFC 8955 §4.2.1.1 lt/gt/eq), as sorted intervals. */
function termIntervals(t: NumericTerm, max: number): Interval[] {
  const v = t.value;
  const out: Interval[] = [];
  const add = (a: number, b: number): void => {
    const lo = Math.max(a, 0);
    const hi = Math.min(b, max);
    if (lo <= hi) out.push([lo, hi]);
  };
  if (t.lt && t.gt) {
    if (t.eq) add(0, max);
    else {
      add(0, v - 1);
      add(v + 1, max);
    }
  } else if (t.lt) add(0, t.eq ? v : v - 1);
  else if (t.gt) add(t.eq ? v : v + 1, max);
  else if (t.eq) add(v, v);
  return out;
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a0, a1] of a) {
    for (const [b0, b1] of b) {
      const lo = Math.max(a0, b0);
      const hi = Math.min(a1, b1);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return out;
}

/** Start indexes of the AND groups: a term without the AND bit starts a new OR branch. */
function groups<T extends { readonly and: boolean }>(terms: readonly T[]): number[][] {
  const gs: number[][] = [];
  terms.forEach((t, i) => {
    const last = gs[gs.length - 1];
    if (i === 0 || !t.and || last === undefined) gs.push([i]);
    else last.push(i);
  });
  return gs;
}

function bitmaskTermHolds(t: BitmaskTerm, data: number): boolean {
  const r = t.match ? (data & t.value) === t.value : (data & t.value) !== 0;
  return t.not ? !r : r;
}

/** Whether some data value satisfies every bitmask term of the group (only bits named by the terms matter). */
function bitmaskGroupSatisfiable(terms: readonly BitmaskTerm[]): boolean {
  let union = 0;
  for (const t of terms) union |= t.value;
  // Enumerate every subset of the union bits (at most 2^16 for the 2-octet TCP flags form).
  let sub = union;
  for (;;) {
    if (terms.every((t) => bitmaskTermHolds(t, sub))) return true;
    if (sub === 0) return false;
    sub = (sub - 1) & union;
  }
}

function checkPrefix(key: ComponentKey, p: FlowSpecPrefix, family: Family, issues: FlowSpecIssue[]): void {
  const v = prefixValue(p, family);
  if (isPrefixProblem(v)) {
    issues.push({ reason: v.reason, component: key, message: v.message });
    return;
  }
  const canonical = prefixFromValue(family, v.bytes, v.length, v.offset).prefix;
  if (canonical !== p.prefix) {
    issues.push({
      reason: 'prefix-not-canonical',
      component: key,
      message: `write ${p.prefix} as ${canonical}`,
    });
  }
}

function checkTerms(
  c: ComponentSpec,
  terms: readonly (NumericTerm | BitmaskTerm)[],
  family: Family,
  issues: FlowSpecIssue[],
): void {
  const key = c.key;
  if (!Array.isArray(terms) || terms.length === 0) {
    issues.push({ reason: 'empty-component', component: key, message: `${c.name} needs at least one term` });
    return;
  }
  if (terms[0]?.and === true) {
    issues.push({
      reason: 'first-term-and',
      component: key,
      term: 0,
      message: `${c.name}: the first term cannot carry the AND bit (RFC 8955 §4.2.1.1)`,
    });
  }
  const max = c.max[family];
  let rangesOk = true;
  terms.forEach((t, i) => {
    if (typeof t.value !== 'number' || !Number.isSafeInteger(t.value) || t.value < 0) {
      issues.push({
        reason: 'value-not-integer',
        component: key,
        term: i,
        message: `${c.name}: value ${String(t.value)} is not a non-negative integer`,
      });
      rangesOk = false;
      return;
    }
    if (c.kind === 'bitmask' && key === 'fragment' && (t.value & ~max) !== 0) {
      issues.push({
        reason: 'fragment-bits-invalid',
        component: key,
        term: i,
        message:
          family === 6 && (t.value & 0x01) !== 0
            ? 'IPv6 has no dont-fragment bit (RFC 8956 §3.7)'
            : `fragment bits 0x${t.value.toString(16)} outside 0x${max.toString(16)} (RFC 8955 §4.2.2.12)`,
      });
      rangesOk = false;
    } else if (t.value > max) {
      issues.push({
        reason: 'value-out-of-range',
        component: key,
        term: i,
        message: `${c.name}: value ${t.value} over ${max}`,
      });
      rangesOk = false;
    }
  });
  if (!rangesOk) return;
  for (const g of groups(terms)) {
    const first = g[0] as number;
    let ok: boolean;
    if (c.kind === 'numeric') {
      let set: Interval[] = [[0, max]];
      for (const i of g) set = intersect(set, termIntervals(terms[i] as NumericTerm, max));
      ok = set.length > 0;
    } else {
      ok = bitmaskGroupSatisfiable(g.map((i) => terms[i] as BitmaskTerm));
    }
    if (!ok) {
      issues.push({
        reason: 'terms-never-match',
        component: key,
        term: first,
        message: `${c.name}: terms ${first}..${g[g.length - 1]} can never match together`,
      });
    }
  }
}

/** Protocol numbers the ipProtocol component admits, as intervals of 0..255 (everything when absent). */
function protocolSet(match: FlowSpecMatch): Interval[] {
  const terms = match.ipProtocol;
  if (terms === undefined) return [[0, 255]];
  const out: Interval[] = [];
  for (const g of groups(terms)) {
    let set: Interval[] = [[0, 255]];
    for (const i of g) set = intersect(set, termIntervals(terms[i] as NumericTerm, 255));
    out.push(...set);
  }
  return out;
}

const admits = (set: readonly Interval[], values: readonly number[]): boolean =>
  values.some((v) => set.some(([lo, hi]) => v >= lo && v <= hi));

// Protocols whose header carries ports (TCP 6, UDP 17, DCCP 33, SCTP 132).
const PORT_PROTOCOLS = [6, 17, 33, 132];

/**
 * Combinations of components no packet can satisfy (RFC 8955 §4.2: e.g. ICMP type AND port; such
 * rules SHOULD NOT be propagated).
 */
function checkCombinations(match: FlowSpecMatch, issues: FlowSpecIssue[]): void {
  const icmp = match.icmpType !== undefined || match.icmpCode !== undefined;
  const ports =
    match.port !== undefined || match.destinationPort !== undefined || match.sourcePort !== undefined;
  const never = (message: string): void => {
    issues.push({ reason: 'components-never-match', message });
  };
  if (icmp && ports) never('ICMP type/code and ports never match together (RFC 8955 §4.2)');
  const protos = protocolSet(match);
  const icmpProto = match.family === 4 ? 1 : 58;
  if (icmp && !admits(protos, [icmpProto]))
    never(`ICMP type/code need protocol ${icmpProto}, which the protocol component excludes`);
  if (ports && !admits(protos, PORT_PROTOCOLS))
    never('ports need TCP, UDP, DCCP or SCTP, which the protocol component excludes');
  if (match.tcpFlags !== undefined && !admits(protos, [6]))
    never('TCP flags need protocol 6, which the protocol component excludes');
}

/** Every reason `match` cannot be announced as written; empty when it is valid. */
export function validateFlowSpec(match: FlowSpecMatch): readonly FlowSpecIssue[] {
  const issues: FlowSpecIssue[] = [];
  if (typeof match !== 'object' || match === null)
    return [{ reason: 'bad-family', message: 'a FlowSpec match must be an object' }];
  const family = match.family;
  if (family !== 4 && family !== 6)
    return [{ reason: 'bad-family', message: `family must be 4 or 6, got ${String(family)}` }];
  for (const k of Object.keys(match)) {
    if (k !== 'family' && !(k in COMPONENTS))
      issues.push({ reason: 'unknown-component', message: `unknown component ${JSON.stringify(k)}` });
  }
  let count = 0;
  for (const c of COMPONENT_ORDER) {
    const v = match[c.key];
    if (v === undefined) continue;
    count++;
    if (!c.families.includes(family)) {
      issues.push({
        reason: 'component-not-in-family',
        component: c.key,
        message: `${c.name} does not exist for IPv${family}`,
      });
      continue;
    }
    if (c.kind === 'prefix') checkPrefix(c.key, v as FlowSpecPrefix, family, issues);
    else checkTerms(c, v as readonly NumericTerm[], family, issues);
  }
  if (count === 0)
    issues.push({
      reason: 'empty-match',
      message: 'an empty FlowSpec matches all traffic; add at least one component',
    });
  if (issues.length === 0) checkCombinations(match, issues);
  if (issues.length === 0) {
    try {
      encodeFlowSpecNlri(match);
    } catch (e) {
      if (!(e instanceof FlowSpecEncodeError)) throw e;
      issues.push({
        reason: e.code === 'nlri-too-long' ? 'nlri-too-long' : 'value-out-of-range',
        message: e.message,
      });
    }
  }
  return issues;
}

export function isValidFlowSpec(match: FlowSpecMatch): boolean {
  return validateFlowSpec(match).length === 0;
}
