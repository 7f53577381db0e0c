// Wire form of a flow batch between collector and detector (one NATS message per shard and flush): a
// version byte, the node-name table, then fixed 96-byte records in network byte order. Decoding checks
// every length and value range and never throws: a malformed message is a counted, named error.
import type { FlowBatch } from '../flow/batch.js';

export const CODEC_VERSION = 1;
export const RECORD_BYTES = 96;
const MAX_NAMES = 4096;

export type DecodeError =
  'short' | 'version' | 'names' | 'name-length' | 'record-count' | 'family' | 'node-index';

export type Decoded =
  | { readonly ok: true; readonly names: readonly string[]; readonly records: number }
  | { readonly ok: false; readonly error: DecodeError; readonly detail: string };

/** Records 0..n of `b` (nodeOf[i]: the index of record i's node in `names`) to bytes. */
export function encodeRecords(
  b: FlowBatch,
  n: number,
  nodeOf: Uint16Array,
  names: readonly string[],
): Uint8Array {
  const nameBytes = names.map((s) => Buffer.from(s, 'utf8').subarray(0, 255));
  let head = 1 + 2;
  for (const nb of nameBytes) head += 1 + nb.length;
  head += 4;
  const out = new Uint8Array(head + n * RECORD_BYTES);
  const v = new DataView(out.buffer);
  let o = 0;
  v.setUint8(o++, CODEC_VERSION);
  v.setUint16(o, names.length);
  o += 2;
  for (const nb of nameBytes) {
    v.setUint8(o++, nb.length);
    out.set(nb, o);
    o += nb.length;
  }
  v.setUint32(o, n);
  o += 4;
  for (let i = 0; i < n; i++, o += RECORD_BYTES) {
    const a = i * 4;
    v.setUint8(o, b.family[i] as number);
    v.setUint8(o + 1, b.proto[i] as number);
    v.setUint8(o + 2, b.tcpFlags[i] as number);
    v.setUint8(o + 3, b.fragment[i] as number);
    v.setUint8(o + 4, b.tos[i] as number);
    v.setUint8(o + 5, b.format[i] as number);
    v.setUint16(o + 6, nodeOf[i] as number);
    v.setUint16(o + 8, b.srcPort[i] as number);
    v.setUint16(o + 10, b.dstPort[i] as number);
    v.setUint16(o + 12, b.vlan[i] as number);
    v.setUint16(o + 14, 0);
    v.setUint32(o + 16, b.samplingRate[i] as number);
    for (let k = 0; k < 4; k++) {
      v.setUint32(o + 20 + 4 * k, b.srcAddr[a + k] as number);
      v.setUint32(o + 36 + 4 * k, b.dstAddr[a + k] as number);
    }
    v.setFloat64(o + 52, b.packets[i] as number);
    v.setFloat64(o + 60, b.bytes[i] as number);
    v.setFloat64(o + 68, b.startMs[i] as number);
    // end as a non-negative offset from start keeps the record at 96 bytes with inIf/outIf/AS numbers
    v.setUint32(o + 76, Math.max(0, Math.min(0xffffffff, (b.endMs[i] as number) - (b.startMs[i] as number))));
    v.setUint32(o + 80, b.inIf[i] as number);
    v.setUint32(o + 84, b.outIf[i] as number);
    v.setUint32(o + 88, b.srcAs[i] as number);
    v.setUint32(o + 92, b.dstAs[i] as number);
  }
  return out;
}

/**
 * Decodes into `into` (reset first) and returns the names table; record k's exporter column holds its
 * index in that table. `into` must have capacity for the records (the caller sizes it from the message).
 */
export function decodeRecords(bytes: Uint8Array, into: FlowBatch): Decoded {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (error: DecodeError, detail: string): Decoded => ({ ok: false, error, detail });
  if (bytes.length < 7) return bad('short', `${bytes.length} bytes`);
  if (v.getUint8(0) !== CODEC_VERSION) return bad('version', `version ${v.getUint8(0)}`);
  const count = v.getUint16(1);
  if (count > MAX_NAMES) return bad('names', `${count} node names`);
  let o = 3;
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (o >= bytes.length) return bad('short', `names table cut at ${o}`);
    const len = v.getUint8(o++);
    if (o + len > bytes.length) return bad('name-length', `name ${i} runs past the end`);
    names.push(Buffer.from(bytes.buffer, bytes.byteOffset + o, len).toString('utf8'));
    o += len;
  }
  if (o + 4 > bytes.length) return bad('short', 'no record count');
  const n = v.getUint32(o);
  o += 4;
  if (bytes.length - o !== n * RECORD_BYTES)
    return bad('record-count', `${n} records announced, ${bytes.length - o} bytes follow`);
  if (n > into.capacity) return bad('record-count', `${n} records, batch holds ${into.capacity}`);
  into.reset();
  for (let r = 0; r < n; r++, o += RECORD_BYTES) {
    const fam = v.getUint8(o);
    if (fam !== 4 && fam !== 6) return bad('family', `record ${r}: family ${fam}`);
    const node = v.getUint16(o + 6);
    if (node >= names.length) return bad('node-index', `record ${r}: node ${node} of ${names.length}`);
    const i = into.next();
    const a = i * 4;
    into.family[i] = fam;
    into.proto[i] = v.getUint8(o + 1);
    into.tcpFlags[i] = v.getUint8(o + 2);
    into.fragment[i] = v.getUint8(o + 3);
    into.tos[i] = v.getUint8(o + 4);
    into.format[i] = v.getUint8(o + 5);
    into.exporter[i] = node;
    into.srcPort[i] = v.getUint16(o + 8);
    into.dstPort[i] = v.getUint16(o + 10);
    into.vlan[i] = v.getUint16(o + 12);
    into.samplingRate[i] = v.getUint32(o + 16);
    for (let k = 0; k < 4; k++) {
      into.srcAddr[a + k] = v.getUint32(o + 20 + 4 * k);
      into.dstAddr[a + k] = v.getUint32(o + 36 + 4 * k);
    }
    into.packets[i] = v.getFloat64(o + 52);
    into.bytes[i] = v.getFloat64(o + 60);
    into.startMs[i] = v.getFloat64(o + 68);
    into.endMs[i] = (into.startMs[i] as number) + v.getUint32(o + 76);
    into.inIf[i] = v.getUint32(o + 80);
    into.outIf[i] = v.getUint32(o + 84);
    into.srcAs[i] = v.getUint32(o + 88);
    into.dstAs[i] = v.getUint32(o + 92);
  }
  return { ok: true, names, records: n };
}

/** Records a message of `bytes` can hold at most (for sizing the decode batch). */
export function recordsIn(bytes: number): number {
  return Math.floor(bytes / RECORD_BYTES);
}
