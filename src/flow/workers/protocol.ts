// What the decode workers and the main thread say to each other (flow.workers > 0, docs/performance.md):
// decoded batches travel as one transferable ArrayBuffer each (FlowBatch.buffer) and come back empty for
// reuse; datagrams handed from the receiving worker to the one that owns their exporter travel packed in
// transferable chunks; counters travel as periodic snapshots. Nothing per record is structured-cloned.
import type { CollectorStats, CollectorOptions } from '../collector.js';
import type { MessagePort } from 'node:worker_threads';
import type { ListenSpec } from '../listeners.js';

/** The collector options a worker needs: everything but the callbacks. */
export type WorkerCollectorOptions = Omit<
  CollectorOptions,
  'onBatch' | 'rawTap' | 'now' | 'onPressure' | 'pressureIntervalMs' | 'route' | 'workers'
>;

export interface WorkerInit {
  readonly index: number;
  readonly count: number;
  readonly options: WorkerCollectorOptions;
  /** The listeners this worker binds (worker 0) or only counts (the others: datagrams are handed to them). */
  readonly bind: boolean;
  readonly listeners: readonly ListenSpec[];
  /** Int32 slots: [batches in flight to main per worker…, chunks in flight to each worker…]. */
  readonly inflight: SharedArrayBuffer;
  readonly statsMs: number;
  /** Hand-off channels: worker 0 holds one to every other worker, each other worker one to worker 0. */
  readonly peers: readonly { index: number; port: MessagePort }[];
}

/** Batches one worker may have in flight to the main thread before it stops reading (back-pressure). */
export const MAX_BATCHES_IN_FLIGHT = 16;
/** Datagram chunks the receiving worker may have in flight to another before it stops reading. */
export const MAX_CHUNKS_IN_FLIGHT = 32;
export const CHUNK_BYTES = 256 * 1024;

export const batchSlot = (worker: number): number => worker;
export const chunkSlot = (worker: number, count: number): number => count + worker;

/** A slot of a worker's exporter table (its id there); the main thread maps it to an id of its own. */
export interface ExporterInfo {
  readonly id: number;
  readonly address: string;
  readonly node: string;
}

export type WorkerStats = Omit<CollectorStats, 'backpressure' | 'workers'>;

export type ToMain =
  | { type: 'bound'; listeners: { address: string; port: number; recvBufferBytes: number }[] }
  | { type: 'batch'; buffer: ArrayBuffer; length: number; capacity: number; exporters?: ExporterInfo[] }
  | { type: 'stats'; stats: WorkerStats; records: RecordCounts }
  | { type: 'stopped' };

export type ToWorker =
  | { type: 'return'; buffer: ArrayBuffer }
  | { type: 'peer'; index: number; port: MessagePort }
  | { type: 'stop' };

export interface RecordCounts {
  /** Records handed on by the worker's decoder (after screening) and posted after pre-aggregation. */
  recordsIn: number;
  recordsOut: number;
  /** Datagrams this worker received and handed to another worker; time it waited on full queues. */
  handedOff: number;
  /** Datagrams packed for a worker that was restarting and could not take them (lost with the restart). */
  lostInHandOff: number;
  stalledMs: number;
}

/** Chunk entry header: u32 datagram length, u8 listener, u8 address length, u16 spare, f64 arrival ms. */
const HEADER = 16;

/** Packs datagrams for another worker into one transferable buffer. */
export class ChunkWriter {
  bytes: Uint8Array;
  private dv: DataView;
  length = 0;
  count = 0;
  constructor(buffer: ArrayBuffer = new ArrayBuffer(CHUNK_BYTES)) {
    this.bytes = new Uint8Array(buffer);
    this.dv = new DataView(buffer);
  }

  /** False when the datagram does not fit (post this chunk, then add to a fresh one). */
  add(buf: Uint8Array, address: string, listener: number, nowMs: number): boolean {
    const need = HEADER + address.length + buf.length;
    if (this.length + need > this.bytes.length) {
      if (this.length === 0) throw new RangeError(`datagram of ${buf.length} octets over the chunk size`);
      return false;
    }
    const o = this.length;
    this.dv.setUint32(o, buf.length);
    this.dv.setUint8(o + 4, listener & 0xff);
    this.dv.setUint8(o + 5, address.length);
    this.dv.setFloat64(o + 8, nowMs);
    for (let i = 0; i < address.length; i++) this.bytes[o + HEADER + i] = address.charCodeAt(i);
    this.bytes.set(buf, o + HEADER + address.length);
    this.length += need;
    this.count++;
    return true;
  }

  /** Hands the buffer out and starts over in `next`. */
  take(next: ArrayBuffer): ArrayBuffer {
    const out = this.bytes.buffer as ArrayBuffer;
    this.bytes = new Uint8Array(next);
    this.dv = new DataView(next);
    this.length = 0;
    this.count = 0;
    return out;
  }
}

/** Calls `each` for every datagram of a chunk (the view is valid only during the call). */
export function readChunk(
  buffer: ArrayBuffer,
  length: number,
  each: (buf: Uint8Array, address: string, listener: number, nowMs: number) => void,
): void {
  const dv = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  for (let o = 0; o + HEADER <= length;) {
    const len = dv.getUint32(o);
    const listener = dv.getUint8(o + 4);
    const alen = dv.getUint8(o + 5);
    const nowMs = dv.getFloat64(o + 8);
    const address = String.fromCharCode(...bytes.subarray(o + HEADER, o + HEADER + alen));
    const start = o + HEADER + alen;
    each(bytes.subarray(start, start + len), address, listener, nowMs);
    o = start + len;
  }
}

/**
 * Which worker decodes the datagrams of UDP source `address` (a hash of its text: stable, no table). With two
 * workers or more, worker 0 only receives: a receive thread apart from the decoding one keeps the socket drained
 * while a batch is decoded (docs/performance.md: NetFlow v9 lossless at 10 k datagrams/s instead of 5 k).
 */
export function ownerOf(address: string, count: number): number {
  if (count <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
  // FNV-1a's low bits follow the last character's: mix (MurmurHash3 fmix32) before taking the remainder
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return 1 + ((h >>> 0) % (count - 1));
}

/** Waits (blocking this worker, so its socket fills and the kernel counts the drops) while a queue is full. */
export function waitBelow(slots: Int32Array, slot: number, max: number): number {
  let waited = 0;
  for (let cur = Atomics.load(slots, slot); cur >= max; cur = Atomics.load(slots, slot)) {
    const t0 = performance.now();
    Atomics.wait(slots, slot, cur, 50);
    waited += performance.now() - t0;
  }
  return waited;
}
