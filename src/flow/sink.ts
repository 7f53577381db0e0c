// Where decoders put records: the current FlowBatch plus a hook to swap it when full. Collectors double-buffer;
// tools that keep everything (decode command, tests) use CollectingSink.
import { FlowBatch } from './batch.js';

/**
 * Bytes of a sampled packet (sFlow raw packet header, pcap raw traffic): the IP length from its header
 * (IPv4 total length, IPv6 payload + 40; as FastNetMon's sflow_read_packet_length_from_ip_header) or the
 * link-layer frame length the sample reports (Ethernet header and FCS included).
 */
export type PacketLength = 'ip' | 'frame';

export interface BatchSink {
  batch: FlowBatch;
  /** How a sampled packet's bytes are counted; absent = 'ip'. */
  readonly packetLength?: PacketLength;
  /** Called when `batch` is full: hand it on and set `batch` to an empty one. */
  rotate(): void;
  /** Optional: sees each sFlow raw packet header once its record slot is filled (forensics ring). */
  rawTap?: RawHeaderTap | undefined;
}

/**
 * Receives an sFlow raw header (bytes [off, off+len) of `dv`; sFlow header_protocol `hp`; the packet's length as
 * a capture shows it, frame_length − stripped) after slot `i` of `batch` is filled. Must copy what it keeps.
 */
export type RawHeaderTap = (
  dv: DataView,
  off: number,
  len: number,
  hp: number,
  origLength: number,
  batch: FlowBatch,
  i: number,
  exporter: string,
) => void;

/** Claims a slot in the sink's current batch, rotating when full. Returns the slot index in `sink.batch`. */
export function claim(sink: BatchSink): number {
  let i = sink.batch.next();
  if (i < 0) {
    sink.rotate();
    i = sink.batch.next();
  }
  return i;
}

/** Keeps every batch (allocates a new one when full). For tools and tests, not the hot path. */
export class CollectingSink implements BatchSink {
  batch: FlowBatch;
  packetLength: PacketLength = 'ip';
  readonly done: FlowBatch[] = [];
  constructor(private readonly capacity = 4096) {
    this.batch = new FlowBatch(capacity);
  }
  rotate(): void {
    this.done.push(this.batch);
    this.batch = new FlowBatch(this.capacity);
  }
  /** All batches including the partial current one. */
  batches(): FlowBatch[] {
    return this.batch.length > 0 ? [...this.done, this.batch] : [...this.done];
  }
  get count(): number {
    let n = this.batch.length;
    for (const b of this.done) n += b.length;
    return n;
  }
}
