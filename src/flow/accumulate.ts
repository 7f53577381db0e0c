// Collector-side pre-aggregation, one accumulator per shard (cluster/flow-publisher.ts) or per decode worker
// (workers/decode-worker.ts): records are copied into the accumulator's batch, and
// packet samples (sFlow, pcap: no flow count of their own) of one conversation — same addresses, ports,
// protocol, flags, node, sampling rate — within one MERGE_MS bucket are summed into a single record, so a
// flood from few sources costs one record per bucket on the wire instead of one per sample. Flow records
// (NetFlow, IPFIX) are kept one by one: each counts as a new flow in detection. No per-record allocation.
import { FlowBatch } from './batch.js';

/** Width of the time bucket inside which samples of one conversation merge. */
export const MERGE_MS = 100;
const SAMPLE_FORMATS_FROM = 3; // FORMAT_CODE sflow5 = 3, pcap = 4

export class ShardAccumulator {
  batch: FlowBatch;
  readonly nodeOf: Uint16Array;
  names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly slots: Int32Array;
  private readonly hashes: Uint32Array;
  /** Records offered and records kept (the difference was merged). */
  offered = 0;
  firstAt = 0;

  constructor(capacity: number) {
    this.batch = new FlowBatch(capacity);
    this.nodeOf = new Uint16Array(capacity);
    let size = 1;
    while (size < capacity * 2) size <<= 1;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Uint32Array(capacity);
  }

  get length(): number {
    return this.batch.length;
  }

  get full(): boolean {
    return this.batch.full;
  }

  /** Index of node name `node` in `names` (added when new); the last one is remembered: a batch is runs of one exporter. */
  private nodeIndex(node: string): number {
    if (node === this.lastNode) return this.lastNi;
    let ni = this.nameIndex.get(node);
    if (ni === undefined) {
      ni = this.names.length;
      this.names.push(node);
      this.nameIndex.set(node, ni);
    }
    this.lastNode = node;
    this.lastNi = ni;
    return ni;
  }
  private lastNode: string | undefined;
  private lastNi = 0;

  /**
   * Adds the records of `src` from `from` on, as add() would one by one, until the batch ends or this
   * accumulator is full; returns the index of the first record not added (the caller flushes and goes on).
   * `nodeOf` names the node of an exporter id. Runs of flow records of one exporter (nothing to merge) are
   * copied a column at a time.
   */
  addFrom(src: FlowBatch, from: number, nodeOf: (exporter: number) => string, now: number): number {
    const n = src.length;
    let i = from;
    while (i < n && !this.full) {
      const e = src.exporter[i] as number;
      if (mergeable(src, i)) {
        this.add(src, i++, nodeOf(e), now);
        continue;
      }
      let k = i + 1;
      while (k < n && src.exporter[k] === e && !mergeable(src, k)) k++;
      i += this.addRun(src, i, k, nodeOf(e), now);
    }
    return i;
  }

  /**
   * Adds records [from, to) of `src`, none of them mergeable (flow records: each stays one record), all seen
   * by `node`, with one copy per column; returns how many fitted.
   */
  private addRun(src: FlowBatch, from: number, to: number, node: string, now: number): number {
    const n = Math.min(to - from, this.batch.capacity - this.batch.length);
    if (n <= 0) return 0;
    if (this.batch.length === 0) this.firstAt = now;
    this.offered += n;
    const ni = this.nodeIndex(node);
    const j = this.batch.append(src, from, n);
    this.nodeOf.fill(ni, j, j + n);
    this.hashes.fill(0, j, j + n);
    return n;
  }

  /** Adds record i of `src` seen by `node`; the caller flushes when `full`. */
  add(src: FlowBatch, i: number, node: string, now: number): void {
    if (this.batch.length === 0) this.firstAt = now;
    this.offered++;
    const ni = this.nodeIndex(node);
    const merges = mergeable(src, i);
    let h = 0;
    if (merges) {
      h = hashRecord(src, i, ni);
      const mask = this.slots.length - 1;
      for (let s = h & mask; ; s = (s + 1) & mask) {
        const j = this.slots[s] as number;
        if (j < 0) break;
        if (this.hashes[j] === h && this.same(src, i, ni, j)) {
          const b = this.batch;
          b.packets[j] = (b.packets[j] as number) + (src.packets[i] as number);
          b.bytes[j] = (b.bytes[j] as number) + (src.bytes[i] as number);
          if ((src.startMs[i] as number) < (b.startMs[j] as number)) b.startMs[j] = src.startMs[i] as number;
          if ((src.endMs[i] as number) > (b.endMs[j] as number)) b.endMs[j] = src.endMs[i] as number;
          return;
        }
      }
    }
    const j = this.batch.next();
    copyRecord(src, i, this.batch, j);
    this.nodeOf[j] = ni;
    this.hashes[j] = h;
    if (merges) {
      const mask = this.slots.length - 1;
      let s = h & mask;
      while ((this.slots[s] as number) >= 0) s = (s + 1) & mask;
      this.slots[s] = j;
    }
  }

  /** Hands out the filled batch and goes on in `fresh` (same capacity; a worker's batch travels away). */
  swap(fresh: FlowBatch): FlowBatch {
    if (fresh.capacity !== this.batch.capacity)
      throw new RangeError('ShardAccumulator.swap: capacity differs');
    const out = this.batch;
    this.batch = fresh;
    this.reset();
    return out;
  }

  reset(): void {
    this.batch.reset();
    this.slots.fill(-1);
    this.names = [];
    this.nameIndex.clear();
    this.lastNode = undefined;
    this.offered = 0;
  }

  private same(src: FlowBatch, i: number, ni: number, j: number): boolean {
    const b = this.batch;
    if (this.nodeOf[j] !== ni) return false;
    if (b.format[j] !== src.format[i] || b.family[j] !== src.family[i] || b.proto[j] !== src.proto[i])
      return false;
    if (b.srcPort[j] !== src.srcPort[i] || b.dstPort[j] !== src.dstPort[i]) return false;
    if (b.tcpFlags[j] !== src.tcpFlags[i] || b.fragment[j] !== src.fragment[i] || b.tos[j] !== src.tos[i])
      return false;
    if (b.samplingRate[j] !== src.samplingRate[i] || b.vlan[j] !== src.vlan[i]) return false;
    if (b.inIf[j] !== src.inIf[i] || b.outIf[j] !== src.outIf[i]) return false;
    if (b.srcAs[j] !== src.srcAs[i] || b.dstAs[j] !== src.dstAs[i]) return false;
    if (Math.floor((b.startMs[j] as number) / MERGE_MS) !== Math.floor((src.endMs[i] as number) / MERGE_MS))
      return false;
    for (let k = 0; k < 4; k++) {
      if (b.srcAddr[j * 4 + k] !== src.srcAddr[i * 4 + k]) return false;
      if (b.dstAddr[j * 4 + k] !== src.dstAddr[i * 4 + k]) return false;
    }
    return true;
  }
}

/** A packet sample (sFlow, pcap: no flow count of its own), which merges with its conversation's others. */
function mergeable(src: FlowBatch, i: number): boolean {
  return (src.format[i] as number) >= SAMPLE_FORMATS_FROM && src.startMs[i] === src.endMs[i];
}

function mix(h: number, v: number): number {
  h ^= v >>> 0;
  return Math.imul(h, 0x01000193);
}

function hashRecord(b: FlowBatch, i: number, node: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < 4; k++) {
    h = mix(h, b.srcAddr[i * 4 + k] as number);
    h = mix(h, b.dstAddr[i * 4 + k] as number);
  }
  h = mix(h, ((b.srcPort[i] as number) << 16) | (b.dstPort[i] as number));
  h = mix(h, ((b.proto[i] as number) << 8) | (b.tcpFlags[i] as number));
  h = mix(h, node);
  h = mix(h, Math.floor((b.endMs[i] as number) / MERGE_MS));
  return h >>> 0;
}

export function copyRecord(src: FlowBatch, i: number, dst: FlowBatch, j: number): void {
  for (let k = 0; k < 4; k++) {
    dst.srcAddr[j * 4 + k] = src.srcAddr[i * 4 + k] as number;
    dst.dstAddr[j * 4 + k] = src.dstAddr[i * 4 + k] as number;
  }
  dst.family[j] = src.family[i] as number;
  dst.proto[j] = src.proto[i] as number;
  dst.srcPort[j] = src.srcPort[i] as number;
  dst.dstPort[j] = src.dstPort[i] as number;
  dst.tcpFlags[j] = src.tcpFlags[i] as number;
  dst.fragment[j] = src.fragment[i] as number;
  dst.tos[j] = src.tos[i] as number;
  dst.packets[j] = src.packets[i] as number;
  dst.bytes[j] = src.bytes[i] as number;
  dst.samplingRate[j] = src.samplingRate[i] as number;
  dst.exporter[j] = src.exporter[i] as number;
  dst.format[j] = src.format[i] as number;
  dst.inIf[j] = src.inIf[i] as number;
  dst.outIf[j] = src.outIf[i] as number;
  dst.srcAs[j] = src.srcAs[i] as number;
  dst.dstAs[j] = src.dstAs[i] as number;
  dst.vlan[j] = src.vlan[i] as number;
  dst.startMs[j] = src.startMs[i] as number;
  dst.endMs[j] = src.endMs[i] as number;
}
