// NetFlow v5 decoder (Cisco NetFlow Services Export Version 5): 24-octet header, up to 30 fixed 48-octet records.
// FIRST/LAST are sysUptime milliseconds; converted to epoch ms against the header's unix_secs/nsecs.
import { FORMAT_CODE } from './batch.js';
import type { FlowErrorKind } from './errors.js';
import type { ExporterState } from './exporter.js';
import { EXPORTER_WIDE } from './sampling.js';
import { claim, type BatchSink } from './sink.js';

export const NF5_HEADER = 24;
export const NF5_RECORD = 48;
export const NF5_MAX_COUNT = 30;
const FMT = FORMAT_CODE.netflow5;

/**
 * Epoch ms of a sysUptime value `at`, given the header's uptime and export time. The signed 32-bit difference
 * handles the 49.7-day uptime wrap and records stamped slightly after the header.
 */
export function uptimeToEpochMs(exportMs: number, sysUptime: number, at: number): number {
  return exportMs - ((sysUptime - at) | 0);
}

export function decodeNetflow5(dv: DataView, exp: ExporterState, sink: BatchSink): FlowErrorKind | undefined {
  const len = dv.byteLength;
  if (len < NF5_HEADER) return exp.error('truncated');
  if (dv.getUint16(0) !== 5) return exp.error('bad-version');
  const count = dv.getUint16(2);
  if (count === 0 || count > NF5_MAX_COUNT) return exp.error('bad-count');
  if (len < NF5_HEADER + count * NF5_RECORD) return exp.error('truncated');
  const sysUptime = dv.getUint32(4);
  const exportMs = dv.getUint32(8) * 1000 + Math.floor(dv.getUint32(12) / 1e6);
  const seq = dv.getUint32(16);
  const engine = dv.getUint16(20);
  const si = dv.getUint16(22);
  // top 2 bits: sampling mode, low 14 bits: interval (0 = unsampled/unknown)
  const interval = si & 0x3fff;
  if (interval > 0) exp.sampling.note(EXPORTER_WIDE, interval, exp.lastSeenMs);
  const rate = exp.sampling.rate(EXPORTER_WIDE, interval);
  exp.sequence('netflow5', engine, seq, count, 'records');
  let o = NF5_HEADER;
  for (let r = 0; r < count; r++, o += NF5_RECORD) {
    const i = claim(sink);
    const b = sink.batch;
    b.family[i] = 4;
    b.srcAddr[i * 4] = dv.getUint32(o);
    b.dstAddr[i * 4] = dv.getUint32(o + 4);
    b.inIf[i] = dv.getUint16(o + 12);
    b.outIf[i] = dv.getUint16(o + 14);
    b.packets[i] = dv.getUint32(o + 16);
    b.bytes[i] = dv.getUint32(o + 20);
    const start = uptimeToEpochMs(exportMs, sysUptime, dv.getUint32(o + 24));
    const end = uptimeToEpochMs(exportMs, sysUptime, dv.getUint32(o + 28));
    b.startMs[i] = start;
    // a LAST before FIRST is an exporter fault: keep the record as an instant rather than a negative span
    b.endMs[i] = end < start ? start : end;
    b.srcPort[i] = dv.getUint16(o + 32);
    b.dstPort[i] = dv.getUint16(o + 34);
    b.tcpFlags[i] = dv.getUint8(o + 37);
    b.proto[i] = dv.getUint8(o + 38);
    b.tos[i] = dv.getUint8(o + 39);
    b.srcAs[i] = dv.getUint16(o + 40);
    b.dstAs[i] = dv.getUint16(o + 42);
    b.samplingRate[i] = rate;
    b.exporter[i] = exp.id;
    b.format[i] = FMT;
  }
  exp.records += count;
  return undefined;
}
