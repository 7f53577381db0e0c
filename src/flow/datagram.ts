// Recognises an export datagram by its content (never by port) and runs the matching decoder:
// NetFlow v5/v9 and IPFIX start with a 16-bit version 5/9/10, sFlow with the 32-bit version 5.
import type { FlowErrorKind } from './errors.js';
import type { ExporterState } from './exporter.js';
import { decodeIpfix } from './ipfix.js';
import { decodeNetflow5 } from './netflow5.js';
import { decodeNetflow9 } from './netflow9.js';
import { decodeSflow } from './sflow.js';
import type { BatchSink } from './sink.js';

export type ExportFormat = 'netflow5' | 'netflow9' | 'ipfix' | 'sflow5';

export function recognise(buf: Uint8Array, o = 0, len = buf.length - o): ExportFormat | undefined {
  if (len < 4) return undefined;
  const v = (buf[o]! << 8) | buf[o + 1]!;
  if (v === 5) return 'netflow5';
  if (v === 9) return 'netflow9';
  if (v === 10) return 'ipfix';
  if (v === 0 && buf[o + 2] === 0 && buf[o + 3] === 5) return 'sflow5';
  return undefined;
}

/**
 * Decodes one datagram from `exp` into `sink`. `nowMs` is the arrival time (sFlow carries no wall clock).
 * Never throws: errors are counted in `exp.errors` and the first one is returned.
 */
export function decodeDatagram(
  buf: Uint8Array,
  exp: ExporterState,
  sink: BatchSink,
  nowMs: number,
): FlowErrorKind | undefined {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return decodeDatagramAt(buf, view, 0, buf.length, exp, sink, nowMs);
}

/**
 * decodeDatagram for the datagram at octets [off, off + len) of `bytes` and `view` (one memory, the same
 * offsets). sFlow is decoded in place; the NetFlow and IPFIX decoders get a view of the datagram alone.
 */
export function decodeDatagramAt(
  bytes: Uint8Array,
  view: DataView,
  off: number,
  len: number,
  exp: ExporterState,
  sink: BatchSink,
  nowMs: number,
): FlowErrorKind | undefined {
  exp.datagrams++;
  exp.lastSeenMs = nowMs;
  const f = recognise(bytes, off, len);
  if (!f) return exp.error('unknown-format');
  exp.lastFormat = f;
  try {
    if (f === 'sflow5') return decodeSflow(view, exp, sink, nowMs, off, off + len);
    const dv =
      off === 0 && len === view.byteLength ? view : new DataView(view.buffer, view.byteOffset + off, len);
    switch (f) {
      case 'netflow5':
        return decodeNetflow5(dv, exp, sink);
      case 'netflow9':
        return decodeNetflow9(dv, exp, sink);
      case 'ipfix':
        return decodeIpfix(dv, exp, sink);
    }
  } catch {
    // a DataView RangeError here is a decoder bug (a missed bounds check); never let it out
    return exp.error('truncated');
  }
}
