// The window's buckets as per-target aggregates (issue 15, "Count at line rate"): for one counter set,
// each bucket of the ring keeps one entry per target its records touched, holding what leaves the
// target's sums when the bucket leaves the window — and, for flow records spanning several buckets,
// how the target's per-bucket decay changes then (counters.ts). Expiry costs one vector per target and
// bucket instead of one per record, and no longer needs the rows (rows.ts), which the window keeps only
// for targets near a threshold. Allocation-free once the columns have grown to the traffic. A record's
// share first goes into pending columns beside its target's sums (CounterSet.sums block), and into the
// entry only when a record of that target for another bucket comes or the window moves: a run of
// records costs one entry update, and the record touches the target's block alone.

import { grownColumn } from './columns.js';
import { addKernel2 as addKernel2Fn, addKernelAt as addKernelAtFn } from './contribution.js';
import type { CounterSet } from './counters.js';
import { A_FIRST, A_LAST, A_NSTEP, A_STEP, A_TOT } from './spread.js';

// Local copy: under tsx (npm start, the benches) every use of an imported function is a getter call.
const addKernelAt = addKernelAtFn;
const addKernel2 = addKernel2Fn;

/** One bucket's entries (struct-of-arrays, reused). */
class Aggregates {
  length = 0;
  capacity = 0;
  /** Target id of each entry. */
  ids!: Int32Array;
  /** width columns per entry: taken off the target's sums when the bucket leaves. */
  vec!: Float64Array;
  /** Records whose last part is in this bucket: they leave the target's count with it. */
  count!: Int32Array;
  /** width columns per entry: added to the target's decay when the bucket leaves (flow records). */
  decay = new Float64Array(0);
  /** Records starting (positive) or ending (negative) their decay when the bucket leaves. */
  decayN = new Int32Array(0);
  /** 1 once the entry's decay columns are in use (they are zeroed then, not at every entry). */
  hasDecay!: Uint8Array;
  /**
   * Entry of each target id (-1: none). One map per bucket, not one per target: the bucket being
   * filled has its map contiguous, small enough to stay in cache.
   */
  slotOf = new Int32Array(0).fill(-1);
  private highWater = 0;

  constructor(
    readonly width: number,
    capacity: number,
  ) {
    this.resize(capacity);
  }

  push(id: number): number {
    if (this.length >= this.capacity) this.resize(this.capacity * 2);
    const e = this.length++;
    this.ids[e] = id;
    this.vec.fill(0, e * this.width, (e + 1) * this.width);
    this.count[e] = 0;
    this.hasDecay[e] = 0;
    return e;
  }

  /** Empties the bucket; gives memory back only after a burst has passed (capacity ≫ recent peak). */
  clear(): void {
    this.highWater = Math.max(this.length, Math.floor(this.highWater * 0.99));
    this.length = 0;
    const keep = Math.max(64, this.highWater);
    if (this.capacity > keep * 4) this.resize(keep * 2);
  }

  private resize(cap: number): void {
    const n = Math.min(this.length, cap);
    const w = this.width;
    this.ids = grownColumn(this.ids, Int32Array, cap, n);
    this.vec = grownColumn(this.vec, Float64Array, cap * w, n * w);
    this.count = grownColumn(this.count, Int32Array, cap, n);
    this.hasDecay = grownColumn(this.hasDecay, Uint8Array, cap, n);
    // Decay columns only once flow records (spanning several buckets) have used them.
    if (this.decay.length > 0) this.growDecay(cap);
    this.capacity = cap;
  }

  /** Makes room for decay columns of every entry (first use, or after a resize). */
  growDecay(cap = this.capacity): void {
    const n = Math.min(this.length, cap);
    this.decay = grownColumn(this.decay, Float64Array, cap * this.width, n * this.width);
    this.decayN = grownColumn(this.decayN, Int32Array, cap, n);
  }

  /** Grows the id map to hold ids below `ids`. */
  growSlots(ids: number): void {
    let n = Math.max(64, this.slotOf.length);
    while (n < ids) n *= 2;
    this.slotOf = grownColumn(this.slotOf, Int32Array, n, this.slotOf.length, -1);
  }
}

/**
 * Entry e of bucket a gets a decay change of n records (starting, or ending when negative): its decay
 * columns are zeroed at first use; the caller adds the per-bucket share at a.decay[e · width ..].
 */
function decayReady(a: Aggregates, e: number, n: number): void {
  if (a.hasDecay[e] === 0) {
    if (a.decay.length === 0) a.growDecay();
    a.hasDecay[e] = 1;
    a.decay.fill(0, e * a.width, (e + 1) * a.width);
    a.decayN[e] = 0;
  }
  a.decayN[e] = (a.decayN[e] as number) + n;
}

/** The per-target aggregates of every bucket of the ring (R slots) for one counter set. */
export class BucketSums {
  readonly rings: Aggregates[];
  /** Entries held in all slots (0: nothing to expire). */
  entries = 0;

  constructor(
    readonly width: number,
    readonly R: number,
    initialIds = 1024,
  ) {
    this.rings = Array.from({ length: R }, () => {
      const a = new Aggregates(width, Math.min(1024, initialIds));
      a.growSlots(initialIds);
      return a;
    });
  }

  /** The entry of target id in ring slot k, made when the bucket has none yet. */
  private entry(k: number, id: number): number {
    const a = this.rings[k] as Aggregates;
    if (id >= a.slotOf.length) a.growSlots(id + 1);
    let e = a.slotOf[id] as number;
    if (e < 0) {
      e = a.push(id);
      a.slotOf[id] = e;
      this.entries++;
    }
    return e;
  }

  /**
   * Counts a record wholly in slot k's bucket (or its one part inside the window; amounts at
   * amt[A_FIRST ..]) for target id: into
   * the set's live sums and record count, and into what leaves with the bucket — first into the
   * target's pending columns beside its sums (pend), filed into its entry in slot k only when a record
   * for another bucket comes or the window moves (flush): one entry update per run of records instead
   * of one per record.
   */
  count(set: CounterSet, k: number, id: number, amt: Float64Array, pc: number, mask: number): void {
    const sums = set.sums;
    const s = id * set.stride;
    this.pend(set, id, s, k);
    addKernel2(sums, s, A_FIRST, sums, s + this.width, A_FIRST, this.width, amt, pc, mask);
    set.recordIn(id);
  }

  /**
   * One more record pending for target id (block at s) in slot k, before its amounts are added: the
   * pending columns hold records of one slot at a time (count at s + 2·width, slot at + 1); those of
   * another slot are filed first.
   */
  private pend(set: CounterSet, id: number, s: number, k: number): void {
    const sums = set.sums;
    const c = s + 2 * this.width;
    const n = sums[c] as number;
    if (n === 0) set.pendList[set.pendCount++] = id;
    else if (sums[c + 1] !== k) {
      this.file(set, id, s);
      sums[c] = 1;
      sums[c + 1] = k;
      return;
    }
    sums[c] = n + 1;
    sums[c + 1] = k;
  }

  /** Files target id's pending columns (block at s) into its entry in their slot, and clears them. */
  private file(set: CounterSet, id: number, s: number): void {
    const w = this.width;
    const sums = set.sums;
    const q = s + w;
    const k = sums[q + w + 1] as number;
    const e = this.entry(k, id);
    const a = this.rings[k] as Aggregates;
    const vec = a.vec;
    const o = e * w;
    for (let c = 0; c < w; c++) {
      vec[o + c] = (vec[o + c] as number) + (sums[q + c] as number);
      sums[q + c] = 0;
    }
    a.count[e] = (a.count[e] as number) + (sums[q + w] as number);
    sums[q + w] = 0;
    sums[q + w + 1] = 0;
  }

  /** Files every target's pending records into their bucket entries (before the window moves). */
  flush(set: CounterSet): void {
    const n = set.pendCount;
    const st = set.stride;
    const list = set.pendList;
    for (let j = 0; j < n; j++) {
      const id = list[j] as number;
      if ((set.sums[id * st + 2 * this.width] as number) !== 0) this.file(set, id, id * st);
    }
    set.pendCount = 0;
  }

  /**
   * Counts a record of n ≥ 2 parts (in consecutive buckets; amounts in amt, spread.ts A_*) for target id: the
   * whole amount into the live sums now, the first part into slot k0's entry, the last part and the
   * record into slot kLast's (pending beside the sums, as in count), and (n > 2) the per-bucket share of the equal middle parts as a decay
   * starting when k0's bucket leaves and stopping when kStop's (the last middle part's) does.
   */
  countParts(
    set: CounterSet,
    id: number,
    k0: number,
    kLast: number,
    kStop: number,
    amt: Float64Array,
    n: number,
    pc: number,
    mask: number,
  ): void {
    const w = this.width;
    const sums = set.sums;
    const s = id * set.stride;
    // the whole amount into the sums; the last part and the record pending beside them, as in count()
    this.pend(set, id, s, kLast);
    addKernel2(sums, s, A_TOT, sums, s + w, A_LAST, w, amt, pc, mask);
    set.recordIn(id);
    const e0 = this.entry(k0, id);
    const a0 = this.rings[k0] as Aggregates;
    if (n > 2) {
      // the first part and the decay start share slot k0's entry
      decayReady(a0, e0, 1);
      addKernel2(a0.vec, e0 * w, A_FIRST, a0.decay, e0 * w, A_STEP, w, amt, pc, mask);
      const eS = this.entry(kStop, id);
      const aS = this.rings[kStop] as Aggregates;
      decayReady(aS, eS, -1);
      addKernelAt(aS.decay, eS * w, w, amt, A_NSTEP, pc, mask);
    } else addKernelAt(a0.vec, e0 * w, w, amt, A_FIRST, pc, mask);
  }

  /**
   * Slot k's bucket leaves the window: each entry comes off its target's sums and count, and changes
   * its decay. The caller applies the decay of the bucket first (CounterSet.applyDecay).
   */
  drain(k: number, set: CounterSet): void {
    const a = this.rings[k] as Aggregates;
    const w = this.width;
    for (let e = 0; e < a.length; e++) {
      const id = a.ids[e] as number;
      set.subtract(id, a.vec, e * w, a.count[e] as number);
      if (a.hasDecay[e] !== 0) set.decayChange(id, a.decay, e * w, a.decayN[e] as number);
      a.slotOf[id] = -1;
    }
    this.entries -= a.length;
    a.clear();
  }
}

/** Bytes of every typed array reachable from `roots` (each counted once): what the window's buckets hold. */
export function typedArrayBytes(roots: readonly object[]): number {
  let n = 0;
  const seen = new Set<object>();
  const walk = (o: object) => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const v of Object.values(o)) {
      if (ArrayBuffer.isView(v)) n += v.byteLength;
      else if (v && typeof v === 'object') walk(v as object);
    }
  };
  for (const o of roots) walk(o);
  return n;
}
