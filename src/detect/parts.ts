// Flow records (NetFlow, IPFIX) carry a duration and are counted spread evenly over it, bucket by
// bucket of the window. Instead of a row per bucket, a record is one row, in its newest part's bucket,
// with everything still inside the window (window.ts), plus one reference here: when the bucket of
// its first part leaves, that part's share is taken off the row's targets and the equal share of each
// middle part goes into their decay vectors (counters.ts), which every leaving bucket takes off once
// per target; after the last middle part the share leaves the decay. The row's amounts follow what is
// left in the window, so the signature builder and legitTraffic read the same as with a row per bucket.

import type { CounterSet } from './counters.js';
import type { RowStore } from './rows.js';

/**
 * The earlier parts of records that span several buckets. The record's row lives in the bucket of its
 * newest part, with the whole amount still inside the window; its older parts are one reference here
 * that takes the oldest part's share off the row's targets (and off the row) when that part's bucket
 * leaves the window, then the next part's share at the next bucket, and so on until only the row's own
 * part is left (the parts between the first and the last are equal: a record is spread evenly). One row
 * and one reference per record instead of a row per bucket; one list for the whole window, so its size
 * follows the records in flight, not the number of buckets.
 */
class PartRefs {
  length = 0;
  capacity = 0;
  /** Ring index of the bucket holding the row, and the row. */
  store!: Int32Array;
  row!: Int32Array;
  /** Share of the next part to leave, and the bucket it leaves with. */
  pkts!: Float64Array;
  bytes!: Float64Array;
  flows!: Float32Array;
  nextEp!: Float64Array;
  /** Share of each following part, and the bucket of the row (where the chain ends). */
  stepP!: Float64Array;
  stepB!: Float64Array;
  rowEp!: Float64Array;
  /** 0: the first part is still in the window; 1: the middle parts are leaving through the decay. */
  phase!: Uint8Array;
  /** Recent peak, decaying slowly (as RowStore.highWater). */
  private highWater = 0;

  constructor(capacity = 1024) {
    this.resize(capacity);
  }

  push(): number {
    if (this.length >= this.capacity) this.resize(this.capacity * 2);
    return this.length++;
  }

  /** Moves reference `from` to slot `to` (compaction while expiring). */
  move(from: number, to: number): void {
    this.store[to] = this.store[from] as number;
    this.row[to] = this.row[from] as number;
    this.pkts[to] = this.pkts[from] as number;
    this.bytes[to] = this.bytes[from] as number;
    this.flows[to] = this.flows[from] as number;
    this.nextEp[to] = this.nextEp[from] as number;
    this.stepP[to] = this.stepP[from] as number;
    this.stepB[to] = this.stepB[from] as number;
    this.rowEp[to] = this.rowEp[from] as number;
    this.phase[to] = this.phase[from] as number;
  }

  /** Keeps the first n references; gives memory back only after a burst has passed. */
  truncate(n: number): void {
    this.length = n;
    this.highWater = Math.max(n, Math.floor(this.highWater * 0.99));
    const keep = Math.max(1024, this.highWater);
    if (this.capacity > keep * 4) this.resize(Math.max(keep, n) * 2);
  }

  private resize(cap: number): void {
    const n = Math.min(this.length, cap);
    const copy = <T extends Int32Array | Float64Array | Float32Array | Uint8Array>(
      old: T | undefined,
      a: T,
    ): T => {
      if (old) a.set(old.subarray(0, n) as never);
      return a;
    };
    this.store = copy(this.store, new Int32Array(cap));
    this.row = copy(this.row, new Int32Array(cap));
    this.pkts = copy(this.pkts, new Float64Array(cap));
    this.bytes = copy(this.bytes, new Float64Array(cap));
    this.flows = copy(this.flows, new Float32Array(cap));
    this.nextEp = copy(this.nextEp, new Float64Array(cap));
    this.stepP = copy(this.stepP, new Float64Array(cap));
    this.stepB = copy(this.stepB, new Float64Array(cap));
    this.rowEp = copy(this.rowEp, new Float64Array(cap));
    this.phase = copy(this.phase, new Uint8Array(cap));
    this.capacity = cap;
  }
}

export class FlowParts {
  private readonly refs = new PartRefs();
  /** The next bucket whose parts leave, and the newest row bucket of any reference. */
  private from = Number.POSITIVE_INFINITY;
  private maxRowEp = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly sets: readonly CounterSet[],
    private readonly stores: readonly RowStore[],
  ) {}

  /** Records in flight (references held). */
  get length(): number {
    return this.refs.length;
  }

  /** The buckets before firstKept leave the window, one by one. */
  expire(firstKept: number): void {
    if (this.refs.length > 0) {
      const stop = Math.min(firstKept, this.maxRowEp);
      for (let x = this.from; x < stop; x++) this.expireBucket(x);
    }
    this.from = Math.max(this.from, firstKept);
  }

  /** Files the older parts of the row at (store, r): the first (p, b, f) leaves with bucket ep. */
  push(
    ep: number,
    store: number,
    r: number,
    p: number,
    b: number,
    f: number,
    stepP: number,
    stepB: number,
    rowEp: number,
  ): void {
    const refs = this.refs;
    const q = refs.push();
    refs.store[q] = store;
    refs.row[q] = r;
    refs.pkts[q] = p;
    refs.bytes[q] = b;
    refs.flows[q] = f;
    refs.nextEp[q] = ep;
    refs.stepP[q] = stepP;
    refs.stepB[q] = stepB;
    refs.rowEp[q] = rowEp;
    refs.phase[q] = 0;
    if (rowEp > this.maxRowEp) this.maxRowEp = rowEp;
    if (ep < this.from) this.from = ep;
  }

  /**
   * Bucket x leaves the window: every decaying target loses its records' middle-part shares; a record
   * whose first part was in x starts decaying (its first part is taken off); one whose last middle part
   * was in x stops (only its row's own part is left, taken off with the row's bucket).
   */
  private expireBucket(x: number): void {
    const sets = this.sets;
    for (let si = 0; si < 6; si++) if ((sets[si] as CounterSet).decayingCount > 0) sets[si]!.applyDecay();
    const refs = this.refs;
    let keep = 0;
    for (let q = 0; q < refs.length; q++) {
      const rs = this.stores[refs.store[q] as number] as RowStore;
      const r = refs.row[q] as number;
      const last = (refs.rowEp[q] as number) - 1;
      if (refs.phase[q] === 0) {
        if (refs.nextEp[q] === x) {
          this.takePart(rs, r, refs.pkts[q] as number, refs.bytes[q] as number, refs.flows[q] as number);
          if (x >= last) continue; // no middle parts: only the row's own part is left
          this.decayRow(rs, r, refs.stepP[q] as number, refs.stepB[q] as number, 1);
          refs.phase[q] = 1;
        }
      } else {
        // the decay took middle part x off the sums: keep the row's amount what is left in the window
        rs.pkts[r] = (rs.pkts[r] as number) - (refs.stepP[q] as number);
        rs.bytes[r] = (rs.bytes[r] as number) - (refs.stepB[q] as number);
        if (x >= last) {
          this.decayRow(rs, r, refs.stepP[q] as number, refs.stepB[q] as number, -1);
          continue;
        }
      }
      if (keep !== q) refs.move(q, keep);
      keep++;
    }
    refs.truncate(keep);
  }

  /** Adds (sign 1) or removes (sign -1) row r's per-bucket share to its targets' decay. */
  private decayRow(rs: RowStore, r: number, p: number, b: number, sign: number): void {
    const sets = this.sets;
    const pc = rs.pclass[r] as number;
    const m = rs.mask[r] as number;
    let id = rs.inHost[r] as number;
    if (id >= 0) sets[0]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.outHost[r] as number;
    if (id >= 0) sets[1]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.inPrefix[r] as number;
    if (id >= 0) sets[2]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.outPrefix[r] as number;
    if (id >= 0) sets[3]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.inGroup[r] as number;
    if (id >= 0) sets[4]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.outGroup[r] as number;
    if (id >= 0) sets[5]!.decayAdd(id, p, b, pc, m, sign);
  }

  /** Takes one part (p, b, f) of row r off its targets' sums and off the row. */
  private takePart(rs: RowStore, r: number, p: number, b: number, f: number): void {
    const sets = this.sets;
    const pc = rs.pclass[r] as number;
    const m = rs.mask[r] as number;
    let id = rs.inHost[r] as number;
    if (id >= 0) sets[0]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.outHost[r] as number;
    if (id >= 0) sets[1]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.inPrefix[r] as number;
    if (id >= 0) sets[2]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.outPrefix[r] as number;
    if (id >= 0) sets[3]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.inGroup[r] as number;
    if (id >= 0) sets[4]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.outGroup[r] as number;
    if (id >= 0) sets[5]!.addPart(id, -p, -b, -f, pc, m);
    rs.pkts[r] = (rs.pkts[r] as number) - p;
    rs.bytes[r] = (rs.bytes[r] as number) - b;
    rs.flows[r] = (rs.flows[r] as number) - f;
  }
}
