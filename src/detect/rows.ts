// One time bucket of the sliding window, kept as the list of the records that fell into it with their
// detail (struct-of-arrays, reused): the recent-traffic sample the signature builder and the
// legitimate-traffic measurement read. Only records of targets near a threshold keep a row
// (rowgate.ts); the sums leave the window through the bucket aggregates (buckets.ts), not the rows.

import type { FlowBatch } from '../flow/batch.js';
import { type Column, grownColumn } from './columns.js';

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

  /**
   * Writes record i of batch b as a new row: its targets per set (-1: none; host, prefix and group,
   * incoming then outgoing as in `targets`), the amounts it has in the window, and its detail.
   */
  write(
    b: FlowBatch,
    i: number,
    targets: Int32Array,
    pkts: number,
    bytes: number,
    flows: number,
    size: number,
    pclass: number,
    mask: number,
  ): number {
    const r = this.push();
    const off = i * 4;
    const fam = b.family[i] as number;
    this.inHost[r] = targets[0] as number;
    this.outHost[r] = targets[1] as number;
    this.inPrefix[r] = targets[2] as number;
    this.outPrefix[r] = targets[3] as number;
    this.inGroup[r] = targets[4] as number;
    this.outGroup[r] = targets[5] as number;
    this.exporter[r] = b.exporter[i] as number;
    this.pkts[r] = pkts;
    this.bytes[r] = bytes;
    this.flows[r] = flows;
    this.family[r] = fam;
    this.proto[r] = b.proto[i] as number;
    this.flags[r] = b.tcpFlags[i] as number;
    this.frag[r] = b.fragment[i] as number;
    this.srcPort[r] = b.srcPort[i] as number;
    this.dstPort[r] = b.dstPort[i] as number;
    this.size[r] = size;
    this.src0[r] = b.srcAddr[off] as number;
    this.src1[r] = fam === 6 ? (b.srcAddr[off + 1] as number) : 0;
    this.dstLow[r] = b.dstAddr[fam === 6 ? off + 3 : off] as number;
    this.pclass[r] = pclass;
    this.mask[r] = mask;
    return r;
  }

  private resize(cap: number): void {
    const n = this.length;
    const grow = <T extends Column>(old: T | undefined, kind: new (length: number) => T): T =>
      grownColumn(old, kind, cap, n);
    this.inHost = grow(this.inHost, Int32Array);
    this.inPrefix = grow(this.inPrefix, Int32Array);
    this.inGroup = grow(this.inGroup, Int32Array);
    this.outHost = grow(this.outHost, Int32Array);
    this.outPrefix = grow(this.outPrefix, Int32Array);
    this.outGroup = grow(this.outGroup, Int32Array);
    this.exporter = grow(this.exporter, Uint32Array);
    this.pkts = grow(this.pkts, Float64Array);
    this.bytes = grow(this.bytes, Float64Array);
    this.flows = grow(this.flows, Float32Array);
    this.family = grow(this.family, Uint8Array);
    this.proto = grow(this.proto, Uint8Array);
    this.flags = grow(this.flags, Uint8Array);
    this.frag = grow(this.frag, Uint8Array);
    this.srcPort = grow(this.srcPort, Uint16Array);
    this.dstPort = grow(this.dstPort, Uint16Array);
    this.size = grow(this.size, Uint16Array);
    this.src0 = grow(this.src0, Uint32Array);
    this.src1 = grow(this.src1, Uint32Array);
    this.dstLow = grow(this.dstLow, Uint32Array);
    this.pclass = grow(this.pclass, Uint8Array);
    this.mask = grow(this.mask, Uint32Array);
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
