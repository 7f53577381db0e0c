// Route origin validation (RFC 6811 §2) over an immutable VRP set, IPv4 and IPv6.
// Layout per family: VRPs grouped by (network, prefix length) in typed arrays, and an open-addressing
// hash from (masked network, length) to its group. A lookup probes once per prefix length the set
// holds (≤ the route's length) and allocates nothing; the full table (≈ 800 k VRPs) costs tens of
// MB rather than an object per VRP.
import type { Family } from '../net/address.js';
import { type Prefix, makePrefix } from '../net/prefix.js';
import { type Vrp, formatVrp } from './vrp.js';

/** RFC 6811 §2: Valid, Invalid or NotFound. */
export type RovState = 'valid' | 'invalid' | 'not-found';

export interface RovResult {
  readonly state: RovState;
  /** Covering VRPs that authorise the route (origin AS and length fit). */
  readonly matched: readonly Vrp[];
  /** Every covering VRP (RFC 6811 "Candidate ROAs"). */
  readonly covering: readonly Vrp[];
}

/** Key words of an address, masked to `len` bits, into out[0..stride). */
function maskedWords(bytes: Uint8Array, len: number, stride: number, out: Uint32Array): void {
  for (let k = 0; k < stride; k++) {
    const i = k * 4;
    const w =
      (((bytes[i] ?? 0) << 24) |
        ((bytes[i + 1] ?? 0) << 16) |
        ((bytes[i + 2] ?? 0) << 8) |
        (bytes[i + 3] ?? 0)) >>>
      0;
    const bits = len - 32 * k;
    out[k] = bits <= 0 ? 0 : bits >= 32 ? w : (w & (-1 << (32 - bits))) >>> 0;
  }
}

function hashOf(words: Uint32Array, stride: number, len: number): number {
  let h = Math.imul(len + 1, 0x9e3779b1);
  for (let k = 0; k < stride; k++) h = Math.imul(h ^ (words[k] as number), 0xcc9e2d51);
  // murmur3 finalizer: masked networks have zero low bits, so the slot index (low bits) must
  // depend on the high ones
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One family's VRPs. Groups are (network, length); members share them and differ in maxLength / AS. */
class FamilyTable {
  private readonly stride: number;
  /** Per group: key words (stride each) and prefix length, for materialising VRPs. */
  private readonly keyWords: Uint32Array;
  private readonly keyLen: Uint8Array;
  /** Per group: first member and member count. */
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** Per member. */
  readonly maxLength: Uint8Array;
  readonly asn: Uint32Array;
  /**
   * Open addressing, one record per slot: the key words then ((group + 1) << 8 | length), 0 = empty.
   * The key sits in the slot so a probe touches one cache line.
   */
  private readonly slots: Uint32Array;
  private readonly mask: number;
  /** Distinct prefix lengths shorter than the directory's, ascending: found by hash probes. */
  readonly shortLengths: Uint8Array;
  /**
   * Groups at least DIR_BITS long, bucketed by their first DIR_BITS bits: a host route's covering
   * VRPs sit together in one bucket and are found by one scan of adjacent memory instead of a
   * probe per length (a probe into a table of ~1 M slots is a cache miss each).
   */
  private readonly dir = new Map<number, number>();
  private readonly dirGroup: Int32Array;
  /** The directory's groups' key words and lengths, in bucket order (contiguous for the scan). */
  private readonly dirWords: Uint32Array;
  private readonly dirLen: Uint8Array;
  readonly groups: number;
  readonly members: number;
  private readonly probe: Uint32Array;

  constructor(
    readonly family: Family,
    vrps: readonly Vrp[],
  ) {
    const stride = family === 4 ? 1 : 4;
    this.stride = stride;
    this.probe = new Uint32Array(stride);
    let cap = 16;
    while (cap < vrps.length * 2) cap *= 2;
    this.slots = new Uint32Array(cap * (stride + 1));
    this.mask = cap - 1;
    const keyWords = new Uint32Array(Math.max(1, vrps.length) * stride);
    const keyLen = new Uint8Array(Math.max(1, vrps.length));
    const groupOf = new Int32Array(vrps.length);
    const counts: number[] = [];
    const present = new Set<number>();
    const w = this.probe;
    let groups = 0;
    vrps.forEach((v, i) => {
      const len = v.prefix.length;
      maskedWords(v.prefix.bytes, len, stride, w);
      let g = this.find(w, len);
      if (g < 0) {
        g = groups++;
        let slot = hashOf(w, stride, len) & this.mask;
        while ((this.slots[slot * (stride + 1) + stride] as number) !== 0) slot = (slot + 1) & this.mask;
        this.slots.set(w, slot * (stride + 1));
        this.slots[slot * (stride + 1) + stride] = (((g + 1) << 8) | len) >>> 0;
        keyWords.set(w, g * stride);
        keyLen[g] = len;
        counts.push(0);
      }
      groupOf[i] = g;
      counts[g]!++;
      present.add(len);
    });
    this.groups = groups;
    this.keyWords = keyWords;
    this.keyLen = keyLen;
    this.first = new Int32Array(groups);
    this.count = new Int32Array(groups);
    let at = 0;
    for (let g = 0; g < groups; g++) {
      this.first[g] = at;
      at += counts[g] as number;
    }
    this.maxLength = new Uint8Array(vrps.length);
    this.asn = new Uint32Array(vrps.length);
    let members = 0;
    vrps.forEach((v, i) => {
      const g = groupOf[i] as number;
      const start = this.first[g] as number;
      const n = this.count[g] as number;
      // the same (maxLength, AS) twice in a group is one VRP (RFC 8210 §5.6 duplicates)
      for (let j = start; j < start + n; j++)
        if (this.maxLength[j] === v.maxLength && this.asn[j] === v.asn) return;
      this.maxLength[start + n] = v.maxLength;
      this.asn[start + n] = v.asn;
      this.count[g] = n + 1;
      members++;
    });
    this.members = members;
    const bits = DIR_BITS[family];
    this.shortLengths = Uint8Array.from([...present].filter((l) => l < bits).sort((a, b) => a - b));
    const long: number[] = [];
    for (let g = 0; g < groups; g++) if ((keyLen[g] as number) >= bits) long.push(g);
    const top = (g: number) => (keyWords[g * stride] as number) >>> (32 - bits);
    long.sort((a, b) => top(a) - top(b));
    this.dirGroup = Int32Array.from(long);
    this.dirWords = new Uint32Array(long.length * stride);
    this.dirLen = new Uint8Array(long.length);
    long.forEach((g, i) => {
      this.dirWords.set(keyWords.subarray(g * stride, g * stride + stride), i * stride);
      this.dirLen[i] = keyLen[g] as number;
    });
    for (let i = 0; i < long.length;) {
      const t = top(long[i] as number);
      let j = i;
      while (j < long.length && top(long[j] as number) === t) j++;
      this.dir.set(t, i * 65536 + (j - i));
      i = j;
    }
  }

  /** Calls visit(group) for every group whose prefix covers `bytes`/`len`. */
  covering(bytes: Uint8Array, len: number, visit: (g: number) => boolean | void): void {
    const lengths = this.shortLengths;
    for (let li = 0; li < lengths.length; li++) {
      const l = lengths[li] as number;
      if (l > len) return;
      const g = this.group(bytes, l);
      if (g >= 0 && visit(g) === true) return;
    }
    const bits = DIR_BITS[this.family];
    if (len < bits) return;
    const stride = this.stride;
    maskedWords(bytes, len, stride, this.probe);
    const q = this.probe;
    const packed = this.dir.get((q[0] as number) >>> (32 - bits));
    if (packed === undefined) return;
    const start = Math.floor(packed / 65536);
    const end = start + (packed % 65536);
    for (let i = start; i < end; i++) {
      const gl = this.dirLen[i] as number;
      if (gl > len) continue;
      let inside = true;
      for (let k = 0; k < stride && inside; k++) {
        const bitsHere = gl - 32 * k;
        if (bitsHere <= 0) break;
        const m = bitsHere >= 32 ? 0xffffffff : (-1 << (32 - bitsHere)) >>> 0;
        inside = ((q[k] as number) & m) >>> 0 === this.dirWords[i * stride + k];
      }
      const g = this.dirGroup[i] as number;
      if (inside && visit(g) === true) return;
    }
  }

  private find(w: Uint32Array, len: number): number {
    const stride = this.stride;
    const rec = stride + 1;
    const slots = this.slots;
    let slot = hashOf(w, stride, len) & this.mask;
    for (;;) {
      const base = slot * rec;
      const info = slots[base + stride] as number;
      if (info === 0) return -1;
      if ((info & 255) === len && sameWords(slots, base, w, stride)) return (info >>> 8) - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** RFC 6811 state of bytes/len for originAs, without callbacks or allocation (the hot path). */
  stateOf(bytes: Uint8Array, len: number, originAs: number): RovState {
    let covered = false;
    const match = (g: number): boolean => {
      const start = this.first[g] as number;
      const end = start + (this.count[g] as number);
      // AS 0 never matches: no route can be originated by AS 0 (RFC 7607)
      if (originAs !== 0)
        for (let j = start; j < end; j++)
          if (this.asn[j] === originAs && len <= (this.maxLength[j] as number)) return true;
      return false;
    };
    const lengths = this.shortLengths;
    for (let li = 0; li < lengths.length; li++) {
      const l = lengths[li] as number;
      if (l > len) break;
      const g = this.group(bytes, l);
      if (g < 0) continue;
      covered = true;
      if (match(g)) return 'valid';
    }
    const bits = DIR_BITS[this.family];
    if (len >= bits) {
      const stride = this.stride;
      maskedWords(bytes, len, stride, this.probe);
      const q = this.probe;
      const packed = this.dir.get((q[0] as number) >>> (32 - bits));
      if (packed !== undefined) {
        const start = Math.floor(packed / 65536);
        const end = start + (packed % 65536);
        for (let i = start; i < end; i++) {
          const gl = this.dirLen[i] as number;
          if (gl > len) continue;
          let inside = true;
          for (let k = 0; k < stride && inside; k++) {
            const bitsHere = gl - 32 * k;
            if (bitsHere <= 0) break;
            const m = bitsHere >= 32 ? 0xffffffff : (-1 << (32 - bitsHere)) >>> 0;
            inside = ((q[k] as number) & m) >>> 0 === this.dirWords[i * stride + k];
          }
          if (!inside) continue;
          covered = true;
          if (match(this.dirGroup[i] as number)) return 'valid';
        }
      }
    }
    return covered ? 'invalid' : 'not-found';
  }

  /** Group holding exactly (bytes masked to len, len), or -1. */
  group(bytes: Uint8Array, len: number): number {
    maskedWords(bytes, len, this.stride, this.probe);
    return this.find(this.probe, len);
  }

  vrp(g: number, member: number): Vrp {
    const stride = this.stride;
    const bytes = new Uint8Array(stride * 4);
    for (let k = 0; k < stride; k++) {
      const x = this.keyWords[g * stride + k] as number;
      bytes[k * 4] = x >>> 24;
      bytes[k * 4 + 1] = (x >>> 16) & 255;
      bytes[k * 4 + 2] = (x >>> 8) & 255;
      bytes[k * 4 + 3] = x & 255;
    }
    return {
      prefix: makePrefix({ family: this.family, bytes }, this.keyLen[g] as number),
      maxLength: this.maxLength[member] as number,
      asn: this.asn[member] as number,
    };
  }
}

/** Leading bits that bucket the directory: /16 for IPv4, /24 for IPv6 (shorter VRPs are probed). */
const DIR_BITS: Readonly<Record<Family, number>> = { 4: 16, 6: 24 };

function sameWords(a: Uint32Array, off: number, b: Uint32Array, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[off + k] !== b[k]) return false;
  return true;
}

export class VrpTable {
  private readonly v4: FamilyTable;
  private readonly v6: FamilyTable;

  /** Duplicates (same prefix, maxLength and AS) are kept once. */
  constructor(vrps: Iterable<Vrp>) {
    const four: Vrp[] = [];
    const six: Vrp[] = [];
    for (const v of vrps) (v.prefix.family === 4 ? four : six).push(v);
    this.v4 = new FamilyTable(4, four);
    this.v6 = new FamilyTable(6, six);
  }

  get size(): number {
    return this.v4.members + this.v6.members;
  }

  count(family: Family): number {
    return family === 4 ? this.v4.members : this.v6.members;
  }

  *[Symbol.iterator](): IterableIterator<Vrp> {
    for (const t of [this.v4, this.v6])
      for (let g = 0; g < t.groups; g++) {
        const start = t.first[g] as number;
        for (let j = start; j < start + (t.count[g] as number); j++) yield t.vrp(g, j);
      }
  }

  /** The state alone: the hot form of validate(). */
  state(prefix: Prefix, originAs: number): RovState {
    return (prefix.family === 4 ? this.v4 : this.v6).stateOf(prefix.bytes, prefix.length, originAs);
  }

  /** RFC 6811 §2 for a route `prefix` originated by `originAs`, with the VRPs behind the answer. */
  validate(prefix: Prefix, originAs: number): RovResult {
    const t = prefix.family === 4 ? this.v4 : this.v6;
    const covering: Vrp[] = [];
    const matched: Vrp[] = [];
    t.covering(prefix.bytes, prefix.length, (g) => {
      const start = t.first[g] as number;
      for (let j = start; j < start + (t.count[g] as number); j++) {
        const v = t.vrp(g, j);
        covering.push(v);
        if (originAs !== 0 && v.asn === originAs && prefix.length <= v.maxLength) matched.push(v);
      }
    });
    const state: RovState = matched.length ? 'valid' : covering.length ? 'invalid' : 'not-found';
    return { state, matched, covering };
  }
}

/** One line for logs and the audit: the state and the VRPs behind it. */
export function describeRov(prefix: Prefix, originAs: number, r: RovResult): string {
  const list = (vs: readonly Vrp[]) => vs.map(formatVrp).join(', ');
  if (r.state === 'valid') return `RPKI valid for AS${originAs}: matched ${list(r.matched)}`;
  if (r.state === 'invalid')
    return `RPKI invalid for AS${originAs}: covered by ${list(r.covering)}, none authorises AS${originAs} at /${prefix.length}`;
  return `RPKI not-found: no VRP covers it`;
}
