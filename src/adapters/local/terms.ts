// FlowSpec operator terms → nftables match alternatives. Numeric terms (RFC 8955 §4.2.1.1) become
// value intervals (OR of AND-groups, lt/gt/eq bits), rendered as an anonymous nft set; bitmask terms
// (§4.2.1.2) become conjunctions of nft bit tests. Fails closed (STYLE 4): a component that can match
// nothing, or that nft cannot express exactly, is an error, never a broader rule.
import type { BitmaskTerm, NumericTerm } from '../../flowspec/types.js';

export class NftRenderError extends Error {
  override readonly name = 'NftRenderError';
  constructor(
    readonly code: 'empty-match' | 'unsupported' | 'bad-value' | 'too-many-rules' | 'bad-rule',
    message: string,
  ) {
    super(message);
  }
}

/** Inclusive integer interval. */
export type Interval = readonly [number, number];

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a0, a1] of a)
    for (const [b0, b1] of b) {
      const lo = Math.max(a0, b0);
      const hi = Math.min(a1, b1);
      if (lo <= hi) out.push([lo, hi]);
    }
  return normalise(out);
}

/** Sorts and merges overlapping or adjacent intervals. */
export function normalise(xs: readonly Interval[]): Interval[] {
  const s = [...xs].sort((p, q) => p[0] - q[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Values in [0, max] that satisfy one numeric term. */
function termIntervals(t: NumericTerm, max: number): Interval[] {
  const v = t.value;
  const out: Interval[] = [];
  if (t.lt && v > 0) out.push([0, Math.min(v - 1, max)]);
  if (t.eq && v <= max) out.push([v, v]);
  if (t.gt && v < max) out.push([v + 1, max]);
  return normalise(out);
}

/** Intervals matched by a numeric component: AND binds tighter than OR (RFC 8955 §4.2.1.1 "a" bit). */
export function numericIntervals(terms: readonly NumericTerm[], max: number, what: string): Interval[] {
  if (terms.length === 0) throw new NftRenderError('bad-value', `${what}: empty operator list`);
  for (const t of terms) {
    if (!Number.isInteger(t.value) || t.value < 0)
      throw new NftRenderError('bad-value', `${what}: value ${t.value} is not a non-negative integer`);
  }
  let union: Interval[] = [];
  let group: Interval[] | undefined;
  for (const t of terms) {
    const iv = termIntervals(t, max);
    if (group !== undefined && t.and) group = intersect(group, iv);
    else {
      if (group !== undefined) union = normalise([...union, ...group]);
      group = iv;
    }
  }
  if (group !== undefined) union = normalise([...union, ...group]);
  if (union.length === 0)
    throw new NftRenderError('empty-match', `${what}: the operators match no value, refusing an empty match`);
  return union;
}

/** "{ 53, 100-200 }" (a single value stays bare). */
export function nftSet(xs: readonly Interval[]): string {
  const items = xs.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`));
  return items.length === 1 && !items[0]!.includes('-') ? items[0]! : `{ ${items.join(', ')} }`;
}

/** A bitmask atom: the nft test for "bit set" and for its exact negation. */
export interface BitAtom {
  readonly yes: string;
  readonly no: string;
}

/** Conjunctions of nft statements, ORed: each inner array becomes one nft rule's match part. */
export type Alternatives = string[][];

/**
 * Bitmask component → alternatives. Per term: match bit set = all value bits set (AND of atoms), clear = any
 * of them (OR); NOT inverts, which nft can express only for a single atom. Terms chain with the "a" bit.
 */
export function bitmaskAlternatives(
  terms: readonly BitmaskTerm[],
  atomFor: (bit: number) => BitAtom | undefined,
  width: number,
  what: string,
): Alternatives {
  if (terms.length === 0) throw new NftRenderError('bad-value', `${what}: empty operator list`);
  const termAlts = (t: BitmaskTerm): Alternatives => {
    if (!Number.isInteger(t.value) || t.value <= 0 || t.value >= 2 ** width) {
      throw new NftRenderError('bad-value', `${what}: mask ${t.value} is outside 1..${2 ** width - 1}`);
    }
    const atoms: BitAtom[] = [];
    for (let bit = 1; bit < 2 ** width; bit <<= 1) {
      if ((t.value & bit) === 0) continue;
      const a = atomFor(bit);
      if (!a)
        throw new NftRenderError(
          'unsupported',
          `${what}: bit 0x${bit.toString(16)} has no nftables equivalent here`,
        );
      atoms.push(a);
    }
    if (t.not) {
      // NOT(all set) = any clear; NOT(any set) = all clear.
      return t.match ? atoms.map((a) => [a.no]) : [atoms.map((a) => a.no)];
    }
    return t.match ? [atoms.map((a) => a.yes)] : atoms.map((a) => [a.yes]);
  };
  let result: Alternatives = [];
  let group: Alternatives | undefined;
  for (const t of terms) {
    const alts = termAlts(t);
    if (group !== undefined && t.and) group = product(group, alts);
    else {
      if (group !== undefined) result = [...result, ...group];
      group = alts;
    }
  }
  if (group !== undefined) result = [...result, ...group];
  return result;
}

/** Cartesian product of two DNFs (AND). */
export function product(a: Alternatives, b: Alternatives): Alternatives {
  const out: Alternatives = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  return out;
}

/** Bitmask component on one header field that nft can test exactly with "field & mask ==/!= value". */
export function bitmaskDirect(
  terms: readonly BitmaskTerm[],
  field: string,
  width: number,
  what: string,
): Alternatives {
  if (terms.length === 0) throw new NftRenderError('bad-value', `${what}: empty operator list`);
  let result: Alternatives = [];
  let group: Alternatives | undefined;
  for (const t of terms) {
    if (!Number.isInteger(t.value) || t.value <= 0 || t.value >= 2 ** width) {
      throw new NftRenderError('bad-value', `${what}: mask ${t.value} is outside 1..${2 ** width - 1}`);
    }
    const hex = `0x${t.value.toString(16).padStart(2, '0')}`;
    // m set: (data & v) == v; m clear: (data & v) != 0; NOT inverts (RFC 8955 §4.2.1.2).
    const stmt = t.match
      ? `${field} & ${hex} ${t.not ? '!=' : '=='} ${hex}`
      : `${field} & ${hex} ${t.not ? '==' : '!='} 0x00`;
    const alts: Alternatives = [[stmt]];
    if (group !== undefined && t.and) group = product(group, alts);
    else {
      if (group !== undefined) result = [...result, ...group];
      group = alts;
    }
  }
  if (group !== undefined) result = [...result, ...group];
  return result;
}
