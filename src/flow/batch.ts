// One normalised flow record, stored struct-of-arrays so decoders write without per-record allocation
// and detection reads columns. A batch is reused: reset() and write again.

export const FLOW_FORMATS = ['netflow5', 'netflow9', 'ipfix', 'sflow5', 'pcap'] as const;
export type FlowFormat = (typeof FLOW_FORMATS)[number];
export const FORMAT_CODE: Record<FlowFormat, number> = {
  netflow5: 0,
  netflow9: 1,
  ipfix: 2,
  sflow5: 3,
  pcap: 4,
};

/** Fragment column bits. */
export const FRAG_IS_FRAGMENT = 1; // any fragment (MF set or offset > 0)
export const FRAG_FIRST = 2; // offset 0 with MF set
export const FRAG_LATER = 4; // offset > 0 (no L4 header)

export class FlowBatch {
  readonly capacity: number;
  length = 0;
  /** 4 or 6 per record. */
  readonly family: Uint8Array;
  /** Four 32-bit words per record, network order words; IPv4 uses word 0 only (others zero). */
  readonly srcAddr: Uint32Array;
  readonly dstAddr: Uint32Array;
  readonly proto: Uint8Array;
  /** For ICMP/ICMPv6 records: dstPort = type << 8 | code, srcPort = 0 (NetFlow convention). */
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  /** Cumulative TCP flags (low 8 bits of the TCP header flags). */
  readonly tcpFlags: Uint8Array;
  /** FRAG_* bits. */
  readonly fragment: Uint8Array;
  readonly tos: Uint8Array;
  /** As carried in the record, unscaled by sampling. */
  readonly packets: Float64Array;
  readonly bytes: Float64Array;
  /** 1 = unsampled. Multiply packets/bytes by this for the estimate. */
  readonly samplingRate: Uint32Array;
  /** Index into the collector's exporter table. */
  readonly exporter: Uint32Array;
  readonly format: Uint8Array;
  readonly inIf: Uint32Array;
  readonly outIf: Uint32Array;
  /** Origin AS of source / destination where the exporter knows it (NetFlow src_as/dst_as, IE 16/17, sFlow extended gateway); 0 = unknown. */
  readonly srcAs: Uint32Array;
  readonly dstAs: Uint32Array;
  /** Ingress VLAN id (IE 58 vlanId, sFlow extended switch src_vlan, outermost 802.1Q tag of a raw header); 0 = none. */
  readonly vlan: Uint16Array;
  /** Flow start / end in ms since epoch (equal for a single packet or sample). */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;

  /** The one buffer every column is a view of (transferable to and from a worker thread as a whole). */
  readonly buffer: ArrayBuffer;
  /**
   * Slots from here on hold what next() would clear them to (zero, sampling rate 1), so next() hands them out
   * as they are; reset() bulk-clears below it (issue 15: a fill per column per batch, not 13 stores per record).
   * Writers either claim slots with next() or set `length` on a batch built over a given buffer (all unknown).
   */
  private used: number;

  /** Octets one record takes across all columns. */
  static readonly RECORD_BYTES = 4 * 8 + 14 * 4 + 3 * 2 + 6;

  /** A batch of `capacity` records; over `buffer` (capacity * RECORD_BYTES octets) when given, else a new one. */
  constructor(capacity = 4096, buffer?: ArrayBuffer) {
    this.capacity = capacity;
    const need = capacity * FlowBatch.RECORD_BYTES;
    if (buffer && buffer.byteLength < need)
      throw new RangeError(`FlowBatch buffer ${buffer.byteLength} < ${need}`);
    this.buffer = buffer ?? new ArrayBuffer(need);
    // widest columns first, so every view is aligned to its element size
    let off = 0;
    const at = (width: number, n = capacity): number => ((off += width * n), off - width * n);
    const f64 = () => new Float64Array(this.buffer, at(8), capacity);
    const u32 = (n = 1) => new Uint32Array(this.buffer, at(4, capacity * n), capacity * n);
    const u16 = () => new Uint16Array(this.buffer, at(2), capacity);
    const u8 = () => new Uint8Array(this.buffer, at(1), capacity);
    this.packets = f64();
    this.bytes = f64();
    this.startMs = f64();
    this.endMs = f64();
    this.srcAddr = u32(4);
    this.dstAddr = u32(4);
    this.samplingRate = u32();
    this.exporter = u32();
    this.inIf = u32();
    this.outIf = u32();
    this.srcAs = u32();
    this.dstAs = u32();
    this.srcPort = u16();
    this.dstPort = u16();
    this.vlan = u16();
    this.family = u8();
    this.proto = u8();
    this.tcpFlags = u8();
    this.fragment = u8();
    this.tos = u8();
    this.format = u8();
    if (buffer) this.used = capacity;
    else {
      this.used = 0;
      this.samplingRate.fill(1);
    }
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  reset(): void {
    const n = this.length > this.used ? this.length : this.used;
    if (n > 0) {
      this.srcAddr.fill(0, 0, n * 4);
      this.dstAddr.fill(0, 0, n * 4);
      this.tcpFlags.fill(0, 0, n);
      this.fragment.fill(0, 0, n);
      this.tos.fill(0, 0, n);
      this.srcPort.fill(0, 0, n);
      this.dstPort.fill(0, 0, n);
      this.inIf.fill(0, 0, n);
      this.outIf.fill(0, 0, n);
      this.srcAs.fill(0, 0, n);
      this.dstAs.fill(0, 0, n);
      this.vlan.fill(0, 0, n);
      this.samplingRate.fill(1, 0, n);
    }
    this.used = 0;
    this.length = 0;
  }

  /**
   * Appends records [from, from + n) of `src` (every column) and returns the index of the first; the caller
   * makes sure they fit. One typed-array copy per column, not one store per column and record.
   */
  append(src: FlowBatch, from: number, n: number): number {
    if (n > this.capacity - this.length) throw new RangeError('FlowBatch.append: over capacity');
    const j = this.length;
    const to = from + n;
    this.srcAddr.set(src.srcAddr.subarray(from * 4, to * 4), j * 4);
    this.dstAddr.set(src.dstAddr.subarray(from * 4, to * 4), j * 4);
    this.packets.set(src.packets.subarray(from, to), j);
    this.bytes.set(src.bytes.subarray(from, to), j);
    this.startMs.set(src.startMs.subarray(from, to), j);
    this.endMs.set(src.endMs.subarray(from, to), j);
    this.samplingRate.set(src.samplingRate.subarray(from, to), j);
    this.exporter.set(src.exporter.subarray(from, to), j);
    this.inIf.set(src.inIf.subarray(from, to), j);
    this.outIf.set(src.outIf.subarray(from, to), j);
    this.srcAs.set(src.srcAs.subarray(from, to), j);
    this.dstAs.set(src.dstAs.subarray(from, to), j);
    this.srcPort.set(src.srcPort.subarray(from, to), j);
    this.dstPort.set(src.dstPort.subarray(from, to), j);
    this.vlan.set(src.vlan.subarray(from, to), j);
    this.family.set(src.family.subarray(from, to), j);
    this.proto.set(src.proto.subarray(from, to), j);
    this.tcpFlags.set(src.tcpFlags.subarray(from, to), j);
    this.fragment.set(src.fragment.subarray(from, to), j);
    this.tos.set(src.tos.subarray(from, to), j);
    this.format.set(src.format.subarray(from, to), j);
    this.length = j + n;
    if (this.used < this.length) this.used = this.length;
    return j;
  }

  /** Copies record `from` over record `to` (compaction; `to` < `from`). */
  move(from: number, to: number): void {
    const a = from * 4;
    const z = to * 4;
    for (let k = 0; k < 4; k++) {
      this.srcAddr[z + k] = this.srcAddr[a + k]!;
      this.dstAddr[z + k] = this.dstAddr[a + k]!;
    }
    this.family[to] = this.family[from]!;
    this.proto[to] = this.proto[from]!;
    this.srcPort[to] = this.srcPort[from]!;
    this.dstPort[to] = this.dstPort[from]!;
    this.tcpFlags[to] = this.tcpFlags[from]!;
    this.fragment[to] = this.fragment[from]!;
    this.tos[to] = this.tos[from]!;
    this.packets[to] = this.packets[from]!;
    this.bytes[to] = this.bytes[from]!;
    this.samplingRate[to] = this.samplingRate[from]!;
    this.exporter[to] = this.exporter[from]!;
    this.format[to] = this.format[from]!;
    this.inIf[to] = this.inIf[from]!;
    this.outIf[to] = this.outIf[from]!;
    this.srcAs[to] = this.srcAs[from]!;
    this.dstAs[to] = this.dstAs[from]!;
    this.vlan[to] = this.vlan[from]!;
    this.startMs[to] = this.startMs[from]!;
    this.endMs[to] = this.endMs[from]!;
  }

  /**
   * Claims the next slot with its optional columns cleared (addresses, ports, flags, interfaces, AS, VLAN zero;
   * sampling rate 1), returning its index; the caller writes the rest. Returns -1 when full (flush and reset).
   */
  next(): number {
    if (this.length >= this.capacity) return -1;
    const i = this.length++;
    if (i >= this.used) {
      // never written since the last reset: already clear
      this.used = i + 1;
      return i;
    }
    // a slot given back (a record abandoned half-written) or of a batch over a reused buffer
    const a = i * 4;
    this.srcAddr[a] = this.srcAddr[a + 1] = this.srcAddr[a + 2] = this.srcAddr[a + 3] = 0;
    this.dstAddr[a] = this.dstAddr[a + 1] = this.dstAddr[a + 2] = this.dstAddr[a + 3] = 0;
    this.tcpFlags[i] = 0;
    this.fragment[i] = 0;
    this.tos[i] = 0;
    this.srcPort[i] = 0;
    this.dstPort[i] = 0;
    this.inIf[i] = 0;
    this.outIf[i] = 0;
    this.srcAs[i] = 0;
    this.dstAs[i] = 0;
    this.vlan[i] = 0;
    this.samplingRate[i] = 1;
    return i;
  }
}
