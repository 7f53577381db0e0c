// Flow records (NetFlow, IPFIX) carry a duration and are counted spread evenly over it, bucket by
// bucket of the window (buckets.ts takes each part off the sums). A record that keeps a row (rows.ts)
// has one row, in its newest part's bucket, with everything still inside the window, plus one
// reference here that takes each older part off the row when that part's bucket leaves: the row's
// amounts follow what is left in the window, so the signature builder and legitTraffic read the same
// as with a row per bucket.

import { type Column, grownColumn } from './columns.js';
import type { RowStore } from './rows.js';

/**
 * The earlier parts of rows of records that span several buckets. The row lives in the bucket of its
 * newest part, with the whole amount still inside the window; its older parts are one reference here
 * that takes the oldest part's share off the row when that part's bucket leaves the window, then the
 * next part's share at the next bucket, and so on until only the row's own part is left (the parts
 * between the first and the last are equal: a record is spread evenly). One list for the whole window,
 * so its size follows the rows in flight, not the number of buckets.
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
    const copy = <T extends Column>(old: T | undefined, kind: new (length: number) => T): T =>
      grownColumn(old, kind, cap, n);
    this.store = copy(this.store, Int32Array);
    this.row = copy(this.row, Int32Array);
    this.pkts = copy(this.pkts, Float64Array);
    this.bytes = copy(this.bytes, Float64Array);
    this.flows = copy(this.flows, Float32Array);
    this.nextEp = copy(this.nextEp, Float64Array);
    this.stepP = copy(this.stepP, Float64Array);
    this.stepB = copy(this.stepB, Float64Array);
    this.rowEp = copy(this.rowEp, Float64Array);
    this.phase = copy(this.phase, Uint8Array);
    this.capacity = cap;
  }
}

export class RowParts {
  private readonly refs = new PartRefs();
  /** The next bucket whose parts leave, and the newest row bucket of any reference. */
  private from = Number.POSITIVE_INFINITY;
  private maxRowEp = Number.NEGATIVE_INFINITY;

  constructor(private readonly stores: readonly RowStore[]) {}

  /** Rows in flight (references held). */
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

  /**
   * Files the older parts of the row at (store, r): the first (p, b, f) leaves with bucket ep, then
   * (stepP, stepB) with each bucket up to the one before the row's (rowEp).
   */
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
   * Bucket x leaves the window: a row whose first part was in x loses that part; one in its middle
   * parts loses one step; after the last middle part only the row's own part is left (it leaves with
   * the row's bucket) and the reference is dropped.
   */
  private expireBucket(x: number): void {
    const refs = this.refs;
    let keep = 0;
    for (let q = 0; q < refs.length; q++) {
      const rs = this.stores[refs.store[q] as number] as RowStore;
      const r = refs.row[q] as number;
      const last = (refs.rowEp[q] as number) - 1;
      if (refs.phase[q] === 0) {
        if (refs.nextEp[q] === x) {
          rs.pkts[r] = (rs.pkts[r] as number) - (refs.pkts[q] as number);
          rs.bytes[r] = (rs.bytes[r] as number) - (refs.bytes[q] as number);
          rs.flows[r] = (rs.flows[r] as number) - (refs.flows[q] as number);
          if (x >= last) continue; // no middle parts: only the row's own part is left
          refs.phase[q] = 1;
        }
      } else {
        rs.pkts[r] = (rs.pkts[r] as number) - (refs.stepP[q] as number);
        rs.bytes[r] = (rs.bytes[r] as number) - (refs.stepB[q] as number);
        if (x >= last) continue;
      }
      if (keep !== q) refs.move(q, keep);
      keep++;
    }
    refs.truncate(keep);
  }
}
