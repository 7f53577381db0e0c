// One time bucket of the sliding window, kept as the list of record contributions that fell into it
// (struct-of-arrays, reused). A contribution is added to its targets' sums on ingest and subtracted
// when the bucket leaves the window, so memory follows the record rate, not the number of hosts; the
// rows of the window double as the recent-traffic sample the signature builder reads.

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
