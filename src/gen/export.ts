// Turns generated records into flow-export datagrams, as real exporters would send them: sFlow v5
// flow samples with raw packet headers (sFlow v5 spec, sflow.org, §5 "flow_sample" and "sampled_header"),
// and NetFlow v5 (Cisco's fixed 24-byte header + 48-byte records, at most 30 per datagram).

import { FORMAT_CODE, type FlowBatch } from '../flow/batch.js';
import { type PcapPacket, writePcap } from '../flow/pcap-writer.js';
import { buildFrame, udpFrame } from './packet.js';

export interface ExportDatagram {
  readonly timeMs: number;
  readonly payload: Uint8Array;
}

const pad4 = (n: number) => (n + 3) & ~3;

/**
 * sFlow v5: every record of the batches becomes one flow sample (a sampled packet; records with
 * samplingRate N say "1 in N"), up to `perDatagram` samples per datagram. Agent is IPv4 `agent`.
 */
export function toSflow(
  batches: readonly FlowBatch[],
  agent: number,
  perDatagram = 8,
  uptimeBase = 0,
): ExportDatagram[] {
  const out: ExportDatagram[] = [];
  let seq = 0;
  let sampleSeq = 0;
  let pending: Uint8Array[] = [];
  let pendingTime = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const body = pending.reduce((a, p) => a + p.length, 0);
    const d = new Uint8Array(28 + body);
    const dv = new DataView(d.buffer);
    dv.setUint32(0, 5); // version
    dv.setUint32(4, 1); // agent address type IPv4
    dv.setUint32(8, agent >>> 0);
    dv.setUint32(12, 0); // sub-agent
    dv.setUint32(16, ++seq);
    dv.setUint32(20, (pendingTime - uptimeBase) >>> 0); // uptime ms
    dv.setUint32(24, pending.length);
    let o = 28;
    for (const p of pending) {
      d.set(p, o);
      o += p.length;
    }
    out.push({ timeMs: pendingTime, payload: d });
    pending = [];
  };
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const frame = buildFrame(b, i, sampleSeq + 1);
      const hdrLen = Math.min(128, frame.length);
      const recLen = 16 + pad4(hdrLen); // sampled_header body
      const sampleLen = 32 + 8 + recLen; // flow_sample fields + one record (format, length, body)
      const s = new Uint8Array(8 + sampleLen);
      const dv = new DataView(s.buffer);
      dv.setUint32(0, 1); // enterprise 0, format 1: flow_sample
      dv.setUint32(4, sampleLen);
      dv.setUint32(8, ++sampleSeq);
      dv.setUint32(12, 1); // source id: ifIndex 1
      const rate = (b.samplingRate[i] as number) || 1;
      dv.setUint32(16, rate);
      dv.setUint32(20, sampleSeq * rate); // sample pool
      dv.setUint32(24, 0); // drops
      dv.setUint32(28, 1); // input if
      dv.setUint32(32, 2); // output if
      dv.setUint32(36, 1); // one flow record
      dv.setUint32(40, 1); // enterprise 0, format 1: sampled_header
      dv.setUint32(44, recLen);
      dv.setUint32(48, 1); // header protocol: ethernet
      dv.setUint32(52, frame.length + 4); // frame length incl. FCS
      dv.setUint32(56, 4); // stripped (FCS)
      dv.setUint32(60, hdrLen);
      s.set(frame.subarray(0, hdrLen), 64);
      if (pending.length === 0) pendingTime = b.endMs[i] as number;
      pending.push(s);
      if (pending.length >= perDatagram) flush();
    }
  }
  flush();
  return out;
}

/** NetFlow v5 (IPv4 records only; others skipped). First/Last are relative to the exporter's boot. */
export function toNetflow5(
  batches: readonly FlowBatch[],
  bootMs: number,
  samplingInterval = 1,
): ExportDatagram[] {
  const out: ExportDatagram[] = [];
  let seq = 0;
  let recs: { b: FlowBatch; i: number }[] = [];
  const flush = () => {
    if (recs.length === 0) return;
    const now = Math.max(...recs.map((r) => r.b.endMs[r.i] as number));
    const d = new Uint8Array(24 + 48 * recs.length);
    const dv = new DataView(d.buffer);
    dv.setUint16(0, 5);
    dv.setUint16(2, recs.length);
    dv.setUint32(4, (now - bootMs) >>> 0);
    dv.setUint32(8, Math.floor(now / 1000));
    dv.setUint32(12, (now % 1000) * 1e6);
    dv.setUint32(16, seq);
    dv.setUint16(22, samplingInterval > 1 ? (1 << 14) | (samplingInterval & 0x3fff) : 0);
    seq += recs.length;
    recs.forEach(({ b, i }, k) => {
      const o = 24 + 48 * k;
      dv.setUint32(o, b.srcAddr[i * 4] as number);
      dv.setUint32(o + 4, b.dstAddr[i * 4] as number);
      dv.setUint16(o + 12, 1);
      dv.setUint16(o + 14, 2);
      dv.setUint32(o + 16, Math.round(b.packets[i] as number));
      dv.setUint32(o + 20, Math.round(b.bytes[i] as number));
      dv.setUint32(o + 24, ((b.startMs[i] as number) - bootMs) >>> 0);
      dv.setUint32(o + 28, ((b.endMs[i] as number) - bootMs) >>> 0);
      dv.setUint16(o + 32, b.srcPort[i] as number);
      dv.setUint16(o + 34, b.dstPort[i] as number);
      dv.setUint8(o + 37, b.tcpFlags[i] as number);
      dv.setUint8(o + 38, b.proto[i] as number);
      dv.setUint8(o + 39, b.tos[i] as number);
    });
    out.push({ timeMs: now, payload: d });
    recs = [];
  };
  for (const b of batches)
    for (let i = 0; i < b.length; i++) {
      if (b.family[i] !== 4) continue;
      recs.push({ b, i });
      if (recs.length === 30) flush();
    }
  flush();
  return out;
}

/** A capture of export datagrams sent from `exporter` to `collector`:`port`. */
export function datagramsToPcap(
  dgs: readonly ExportDatagram[],
  exporter: number,
  collector: number,
  port: number,
): Buffer {
  const packets: PcapPacket[] = dgs.map((d, k) => ({
    timeMs: d.timeMs,
    data: udpFrame(exporter, collector, 40000, port, d.payload, k),
  }));
  return writePcap(packets);
}

/** Format code the generator writes for records meant to become each export. */
export const EXPORT_FORMAT = { sflow5: FORMAT_CODE.sflow5, netflow5: FORMAT_CODE.netflow5 } as const;
