// One time bucket of the sliding window, kept as the list of record contributions that fell into it
// (struct-of-arrays, reused). A contribution is added to its targets' sums on ingest and subtracted
// when the bucket leaves the window, so memory follows the record rate, not the number of hosts; the
// rows of the window double as the recent-traffic sample the signature builder reads.

/**
 * The earlier parts of records that span several buckets. The record's row lives in the bucket of its
 * newest part, with the whole amount still inside the window; its older parts are one reference here
 * that takes the oldest part's share off the row's targets (and off the row) when that part's bucket
 * leaves the window, then the next part's share at the next bucket, and so on until only the row's own
 * part is left (the parts between the first and the last are equal: a record is spread evenly). One row
 * and one reference per record instead of a row per bucket; one list for the whole window, so its size
 * follows the records in flight, not the number of buckets.
 */
export class PartRefs {
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

export class RowStore {
  length = 0;
  /** Epoch (time / tick) this bucket holds; meaningful while length > 0. */
  epoch = 0;
  capacity: number;
  inHost!: Int32Array;
  inPrefix!: Int32Array;
  inGroup!: Int32Array;
  outHost!: Int32Array;
  outPrefix!: Int32Array;
  outGroup!: Int32Array;
  exporter!: Uint32Array;
  pkts!: Float64Array;
  bytes!: Float64Array;
  flows!: Float32Array;
  family!: Uint8Array;
  proto!: Uint8Array;
  flags!: Uint8Array;
  frag!: Uint8Array;
  srcPort!: Uint16Array;
  dstPort!: Uint16Array;
  /** Average IP packet length of the record. */
  size!: Uint16Array;
  /** First two words of the source (enough for an IPv4 /32 or an IPv6 /64 source prefix). */
  src0!: Uint32Array;
  src1!: Uint32Array;
  /** Last word of the destination, to count distinct hosts of a prefix. */
  dstLow!: Uint32Array;
  /** Protocol class and contribution mask (counters.ts), computed once per record. */
  pclass!: Uint8Array;
  mask!: Uint32Array;

  constructor(capacity = 1024) {
    this.capacity = 0;
    this.resize(capacity);
  }

  /** Index of a new row (growing the columns when full; that is the only allocation). */
  push(): number {
    if (this.length >= this.capacity) this.resize(this.capacity * 2);
    return this.length++;
  }

  private resize(cap: number): void {
    const n = this.length;
    const grow = <
      T extends { set(a: ArrayLike<number>): void; subarray(a: number, b: number): ArrayLike<number> },
    >(
      old: T | undefined,
      make: (c: number) => T,
    ): T => {
      const a = make(cap);
      if (old) a.set(old.subarray(0, n));
      return a;
    };
    this.inHost = grow(this.inHost, (c) => new Int32Array(c));
    this.inPrefix = grow(this.inPrefix, (c) => new Int32Array(c));
    this.inGroup = grow(this.inGroup, (c) => new Int32Array(c));
    this.outHost = grow(this.outHost, (c) => new Int32Array(c));
    this.outPrefix = grow(this.outPrefix, (c) => new Int32Array(c));
    this.outGroup = grow(this.outGroup, (c) => new Int32Array(c));
    this.exporter = grow(this.exporter, (c) => new Uint32Array(c));
    this.pkts = grow(this.pkts, (c) => new Float64Array(c));
    this.bytes = grow(this.bytes, (c) => new Float64Array(c));
    this.flows = grow(this.flows, (c) => new Float32Array(c));
    this.family = grow(this.family, (c) => new Uint8Array(c));
    this.proto = grow(this.proto, (c) => new Uint8Array(c));
    this.flags = grow(this.flags, (c) => new Uint8Array(c));
    this.frag = grow(this.frag, (c) => new Uint8Array(c));
    this.srcPort = grow(this.srcPort, (c) => new Uint16Array(c));
    this.dstPort = grow(this.dstPort, (c) => new Uint16Array(c));
    this.size = grow(this.size, (c) => new Uint16Array(c));
    this.src0 = grow(this.src0, (c) => new Uint32Array(c));
    this.src1 = grow(this.src1, (c) => new Uint32Array(c));
    this.dstLow = grow(this.dstLow, (c) => new Uint32Array(c));
    this.pclass = grow(this.pclass, (c) => new Uint8Array(c));
    this.mask = grow(this.mask, (c) => new Uint32Array(c));
    this.capacity = cap;
  }

  /** Recent peak of rows per bucket, decaying slowly, so a steady rate does not regrow the columns each time. */
  highWater = 0;

  /** Empties the bucket; gives back memory only after a burst has passed (capacity ≫ recent peak). */
  clear(minCap: number): void {
    this.highWater = Math.max(this.length, Math.floor(this.highWater * 0.99));
    this.length = 0;
    this.shrinkIfIdle(Math.max(minCap, this.highWater));
  }

  private shrinkIfIdle(cap: number): void {
    if (this.length !== 0 || this.capacity <= cap * 4) return;
    const fields = this as unknown as Record<string, unknown>;
    for (const k of COLUMNS) fields[k] = undefined;
    this.resize(cap);
  }
}

const COLUMNS = [
  'inHost',
  'inPrefix',
  'inGroup',
  'outHost',
  'outPrefix',
  'outGroup',
  'exporter',
  'pkts',
  'bytes',
  'flows',
  'family',
  'proto',
  'flags',
  'frag',
  'srcPort',
  'dstPort',
  'size',
  'src0',
  'src1',
  'dstLow',
  'pclass',
  'mask',
];
