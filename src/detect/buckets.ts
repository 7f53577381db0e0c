// The window's buckets as per-target aggregates (issue 15, "Count at line rate"): for one counter set,
// each bucket of the ring keeps one entry per target its records touched, holding what leaves the
// target's sums when the bucket leaves the window — and, for flow records spanning several buckets,
// how the target's per-bucket decay changes then (counters.ts). Expiry costs one vector per target and
// bucket instead of one per record, and no longer needs the rows (rows.ts), which the window keeps only
// for targets near a threshold. Allocation-free once the columns have grown to the traffic.

import { addKernel } from './contribution.js';
import type { CounterSet } from './counters.js';

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
  decay!: Float64Array;
  /** Records starting (positive) or ending (negative) their decay when the bucket leaves. */
  decayN!: Int32Array;
  /** 1 once the entry's decay columns are in use (they are zeroed then, not at every entry). */
  hasDecay!: Uint8Array;
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
    const copy = <T extends Int32Array | Float64Array | Uint8Array>(old: T | undefined, a: T, k = 1): T => {
      if (old) a.set(old.subarray(0, n * k) as never);
      return a;
    };
    this.ids = copy(this.ids, new Int32Array(cap));
    this.vec = copy(this.vec, new Float64Array(cap * w), w);
    this.count = copy(this.count, new Int32Array(cap));
    this.decay = copy(this.decay, new Float64Array(cap * w), w);
    this.decayN = copy(this.decayN, new Int32Array(cap));
    this.hasDecay = copy(this.hasDecay, new Uint8Array(cap));
    this.capacity = cap;
  }
}

/** The per-target aggregates of every bucket of the ring (R slots) for one counter set. */
export class BucketSums {
  readonly rings: Aggregates[];
  /** Entry of target id in ring slot k at [id * R + k] (-1: none); grows with the ids seen. */
  private slotOf: Int32Array;
  /** Entries held in all slots (0: nothing to expire). */
  entries = 0;

  constructor(
    readonly width: number,
    readonly R: number,
    initialIds = 1024,
  ) {
    this.rings = Array.from({ length: R }, () => new Aggregates(width, 64));
    this.slotOf = new Int32Array(initialIds * R).fill(-1);
  }

  /** The entry of target id in ring slot k, made when the bucket has none yet. */
  private entry(k: number, id: number): number {
    const x = id * this.R + k;
    if (x >= this.slotOf.length) this.growSlots(id + 1);
    let e = this.slotOf[x] as number;
    if (e < 0) {
      e = (this.rings[k] as Aggregates).push(id);
      this.slotOf[x] = e;
      this.entries++;
    }
    return e;
  }

  /** Adds a part (see addKernel) of a record to target id's entry in slot k; n: records ending there. */
  add(k: number, id: number, p: number, b: number, f: number, pc: number, mask: number, n: number): void {
    const e = this.entry(k, id);
    const a = this.rings[k] as Aggregates;
    addKernel(a.vec, e * this.width, this.width, p, b, f, pc, mask);
    a.count[e] = (a.count[e] as number) + n;
  }

  /** Adds a per-bucket share (p, b) to the decay change of target id's entry in slot k; n: records. */
  addDecay(k: number, id: number, p: number, b: number, pc: number, mask: number, n: number): void {
    const e = this.entry(k, id);
    const a = this.rings[k] as Aggregates;
    const w = this.width;
    if (a.hasDecay[e] === 0) {
      a.hasDecay[e] = 1;
      a.decay.fill(0, e * w, (e + 1) * w);
      a.decayN[e] = 0;
    }
    addKernel(a.decay, e * w, w, p, b, 0, pc, mask);
    a.decayN[e] = (a.decayN[e] as number) + n;
  }

  /**
   * Slot k's bucket leaves the window: each entry comes off its target's sums and count, and changes
   * its decay. The caller applies the decay of the bucket first (CounterSet.applyDecay).
   */
  drain(k: number, set: CounterSet): void {
    const a = this.rings[k] as Aggregates;
    const w = this.width;
    const R = this.R;
    for (let e = 0; e < a.length; e++) {
      const id = a.ids[e] as number;
      set.subtract(id, a.vec, e * w, a.count[e] as number);
      if (a.hasDecay[e] !== 0) set.decayChange(id, a.decay, e * w, a.decayN[e] as number);
      this.slotOf[id * R + k] = -1;
    }
    this.entries -= a.length;
    a.clear();
  }

  private growSlots(ids: number): void {
    let n = this.slotOf.length / this.R;
    while (n < ids) n *= 2;
    const s = new Int32Array(n * this.R).fill(-1);
    s.set(this.slotOf);
    this.slotOf = s;
  }
}
