// Route origin validation (RFC 6811 §2) over an immutable VRP set, IPv4 and IPv6.
// Layout: VRPs grouped by (network, length) in typed arrays; a hash index per family maps a masked
// network and length to its group. A lookup probes only the prefix lengths the set holds (≤ the
// route's length), so it costs a few hash probes, never a walk over the table.
import type { Family } from '../net/address.js';
import type { Prefix } from '../net/prefix.js';
import { type Vrp, formatVrp, vrpKey } from './vrp.js';

/** RFC 6811 §2: Valid, Invalid or NotFound. */
export type RovState = 'valid' | 'invalid' | 'not-found';

export interface RovResult {
  readonly state: RovState;
  /** Covering VRPs that authorise the route (origin AS and length fit). */
  readonly matched: readonly Vrp[];
  /** Every covering VRP (RFC 6811 "Candidate ROAs"). */
  readonly covering: readonly Vrp[];
}

const GROUP_BITS = 2 ** 20; // members per (network, length) group, packed with the start index

function words(bytes: Uint8Array, out: Uint32Array): void {
  out.fill(0);
  for (let i = 0; i < bytes.length; i++) {
    const w = i >>> 2;
    out[w] = ((out[w] as number) | ((bytes[i] as number) << (24 - 8 * (i & 3)))) >>> 0;
  }
}

function maskWord(w: number, k: number, len: number): number {
  const bits = len - 32 * k;
  if (bits <= 0) return 0;
  if (bits >= 32) return w;
  return (w & (-1 << (32 - bits))) >>> 0;
}

const scratch = new Uint32Array(4);

function key4(net: number, len: number): number {
  return maskWord(net, 0, len) * 64 + len;
}

function key6(w: Uint32Array, len: number): string {
  let s = String(len);
  const n = Math.ceil(len / 32);
  for (let k = 0; k < n; k++) s += ':' + maskWord(w[k] as number, k, len);
  return s;
}

interface FamilyIndex<K> {
  readonly index: Map<K, number>;
  /** Distinct VRP prefix lengths present, ascending. */
  readonly lengths: Uint8Array;
  readonly maxLength: Uint8Array;
  readonly asn: Uint32Array;
  readonly vrps: readonly Vrp[];
}

function buildFamily<K>(vrps: readonly Vrp[], keyOf: (v: Vrp) => K): FamilyIndex<K> {
  const groups = new Map<K, Vrp[]>();
  const lengths = new Set<number>();
  for (const v of vrps) {
    const k = keyOf(v);
    const g = groups.get(k);
    if (g) g.push(v);
    else groups.set(k, [v]);
    lengths.add(v.prefix.length);
  }
  const index = new Map<K, number>();
  const maxLength = new Uint8Array(vrps.length);
  const asn = new Uint32Array(vrps.length);
  const ordered: Vrp[] = [];
  for (const [k, g] of groups) {
    if (g.length >= GROUP_BITS) throw new RangeError(`more than ${GROUP_BITS - 1} VRPs for one prefix`);
    index.set(k, ordered.length * GROUP_BITS + g.length);
    for (const v of g) {
      maxLength[ordered.length] = v.maxLength;
      asn[ordered.length] = v.asn;
      ordered.push(v);
    }
  }
  return {
    index,
    lengths: Uint8Array.from([...lengths].sort((a, b) => a - b)),
    maxLength,
    asn,
    vrps: ordered,
  };
}

export class VrpTable {
  private readonly v4: FamilyIndex<number>;
  private readonly v6: FamilyIndex<string>;

  /** Duplicates (same prefix, maxLength and AS) are kept once. */
  constructor(vrps: Iterable<Vrp>) {
    const seen = new Set<string>();
    const four: Vrp[] = [];
    const six: Vrp[] = [];
    for (const v of vrps) {
      const k = vrpKey(v);
      if (seen.has(k)) continue;
      seen.add(k);
      (v.prefix.family === 4 ? four : six).push(v);
    }
    this.v4 = buildFamily(four, (v) => {
      words(v.prefix.bytes, scratch);
      return key4(scratch[0] as number, v.prefix.length);
    });
    this.v6 = buildFamily(six, (v) => {
      words(v.prefix.bytes, scratch);
      return key6(scratch, v.prefix.length);
    });
  }

  get size(): number {
    return this.v4.vrps.length + this.v6.vrps.length;
  }

  count(family: Family): number {
    return family === 4 ? this.v4.vrps.length : this.v6.vrps.length;
  }

  *[Symbol.iterator](): IterableIterator<Vrp> {
    yield* this.v4.vrps;
    yield* this.v6.vrps;
  }

  /** RFC 6811 §2 for a route `prefix` originated by `originAs`. */
  validate(prefix: Prefix, originAs: number): RovResult {
    const covering: Vrp[] = [];
    const matched: Vrp[] = [];
    this.visitCovering(prefix, (fam, i) => {
      const v = fam.vrps[i] as Vrp;
      covering.push(v);
      // AS 0 never matches: no route can be originated by AS 0 (RFC 7607)
      if (originAs !== 0 && fam.asn[i] === originAs && prefix.length <= (fam.maxLength[i] as number))
        matched.push(v);
    });
    const state: RovState = matched.length ? 'valid' : covering.length ? 'invalid' : 'not-found';
    return { state, matched, covering };
  }

  /** The state alone, allocating nothing: the hot form of validate(). */
  state(prefix: Prefix, originAs: number): RovState {
    let covered = false;
    let valid = false;
    this.visitCovering(prefix, (fam, i) => {
      covered = true;
      if (originAs !== 0 && fam.asn[i] === originAs && prefix.length <= (fam.maxLength[i] as number))
        valid = true;
    });
    return valid ? 'valid' : covered ? 'invalid' : 'not-found';
  }

  private visitCovering(
    prefix: Prefix,
    visit: (fam: FamilyIndex<number> | FamilyIndex<string>, i: number) => void,
  ): void {
    words(prefix.bytes, scratch);
    if (prefix.family === 4) {
      const fam = this.v4;
      const net = scratch[0] as number;
      for (const len of fam.lengths) {
        if (len > prefix.length) break;
        const packed = fam.index.get(key4(net, len));
        if (packed !== undefined) visitGroup(fam, packed, visit);
      }
    } else {
      const fam = this.v6;
      for (const len of fam.lengths) {
        if (len > prefix.length) break;
        const packed = fam.index.get(key6(scratch, len));
        if (packed !== undefined) visitGroup(fam, packed, visit);
      }
    }
  }
}

function visitGroup<F>(fam: F, packed: number, visit: (fam: F, i: number) => void): void {
  const start = Math.floor(packed / GROUP_BITS);
  const end = start + (packed % GROUP_BITS);
  for (let i = start; i < end; i++) visit(fam, i);
}

/** One line for logs and the audit: the state and the VRPs behind it. */
export function describeRov(prefix: Prefix, originAs: number, r: RovResult): string {
  const list = (vs: readonly Vrp[]) => vs.map(formatVrp).join(', ');
  if (r.state === 'valid') return `RPKI valid for AS${originAs}: matched ${list(r.matched)}`;
  if (r.state === 'invalid')
    return `RPKI invalid for AS${originAs}: covered by ${list(r.covering)}, none authorises AS${originAs} at /${prefix.length}`;
  return `RPKI not-found: no VRP covers it`;
}
