// Turns a capture into flow records: a capture of export datagrams (recognised by content, any UDP port) is fed
// through the decoders with the packet's source address as exporter; a capture of raw traffic yields one
// 'pcap' record per packet via the packet-header parser.
import { FORMAT_CODE } from './batch.js';
import { decodeDatagram, recognise } from './datagram.js';
import { ExporterState } from './exporter.js';
import { LINK_ETHERNET, LINK_NULL, LINK_RAW, LINK_SLL, LINK_SLL2, parseFrame } from './packet.js';
import { readCapture, type CaptureError, type CapturedPacket } from './pcap.js';
import type { SamplingOverride } from './sampling.js';
import { claim, CollectingSink, type PacketLength } from './sink.js';
import { uint32ToIpv4String, wordsToIpString } from '../net/address.js';

export interface UdpDatagram {
  src: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

/** Extracts an unfragmented UDP datagram from a captured frame, or undefined. */
export function udpOf(p: CapturedPacket): UdpDatagram | undefined {
  const d = p.data;
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let o = 0;
  let type = 0;
  switch (p.linktype) {
    case LINK_ETHERNET:
      if (d.length < 14) return undefined;
      type = dv.getUint16(12);
      o = 14;
      while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && d.length - o >= 4) {
        type = dv.getUint16(o + 2);
        o += 4;
      }
      break;
    case LINK_SLL:
      if (d.length < 16) return undefined;
      type = dv.getUint16(14);
      o = 16;
      break;
    case LINK_SLL2:
      if (d.length < 20) return undefined;
      type = dv.getUint16(0);
      o = 20;
      break;
    case LINK_NULL:
      o = 4;
      break;
    case LINK_RAW:
      break;
    default:
      return undefined;
  }
  if (type === 0) {
    if (d.length <= o) return undefined;
    const v = d[o]! >> 4;
    type = v === 4 ? 0x0800 : v === 6 ? 0x86dd : -1;
  }
  let src: string;
  let u: number;
  let end = d.length;
  if (type === 0x0800) {
    if (d.length - o < 20 || d[o + 9] !== 17) return undefined;
    if (dv.getUint16(o + 6) & 0x3fff) return undefined; // fragment
    src = uint32ToIpv4String(dv.getUint32(o + 12));
    end = Math.min(end, o + dv.getUint16(o + 2));
    u = o + (d[o]! & 15) * 4;
  } else if (type === 0x86dd) {
    if (d.length - o < 40 || d[o + 6] !== 17) return undefined;
    const w = new Uint32Array(4);
    for (let k = 0; k < 4; k++) w[k] = dv.getUint32(o + 8 + k * 4);
    src = wordsToIpString(w, 0, 6);
    u = o + 40;
  } else return undefined;
  if (end - u < 8) return undefined;
  const ulen = dv.getUint16(u + 4);
  const pend = ulen >= 8 ? Math.min(end, u + ulen) : end;
  return { src, sport: dv.getUint16(u), dport: dv.getUint16(u + 2), payload: d.subarray(u + 8, pend) };
}

export interface CaptureDecodeOptions {
  mode?: 'auto' | 'export' | 'raw';
  sampling?: Record<string, SamplingOverride>;
  /** Bytes of raw packets and sFlow samples: IP length (default) or frame length. */
  packetLength?: PacketLength;
}

export interface CaptureDecodeResult {
  mode: 'export' | 'raw';
  sink: CollectingSink;
  exporters: ExporterState[];
  packets: number;
  /** Packets that carried nothing decodable (not UDP export / not IP). */
  skipped: number;
  captureError?: CaptureError;
}

export function decodeCapture(buf: Uint8Array, opts: CaptureDecodeOptions = {}): CaptureDecodeResult {
  const cap = readCapture(buf);
  const sink = new CollectingSink();
  sink.packetLength = opts.packetLength ?? 'ip';
  const exporters: ExporterState[] = [];
  let mode = opts.mode ?? 'auto';
  const udps = cap.packets.map(udpOf);
  if (mode === 'auto') {
    // export capture if most packets are UDP payloads in a recognised export format
    let hits = 0;
    for (const u of udps) if (u && recognise(u.payload)) hits++;
    mode = hits > 0 && hits * 2 >= cap.packets.length ? 'export' : 'raw';
  }
  let skipped = 0;
  if (mode === 'export') {
    const byAddr = new Map<string, ExporterState>();
    cap.packets.forEach((p, k) => {
      const u = udps[k];
      if (!u || !recognise(u.payload)) {
        skipped++;
        return;
      }
      let exp = byAddr.get(u.src);
      if (!exp) {
        exp = new ExporterState(exporters.length, u.src);
        exp.sampling.setOverride(opts.sampling?.[u.src]);
        exporters.push(exp);
        byAddr.set(u.src, exp);
      }
      decodeDatagram(u.payload, exp, sink, p.timeMs);
    });
  } else {
    const exp = new ExporterState(0, 'capture');
    exporters.push(exp);
    for (const p of cap.packets) {
      exp.datagrams++;
      const i = claim(sink);
      const b = sink.batch;
      const dv = new DataView(p.data.buffer, p.data.byteOffset, p.data.byteLength);
      const ipLen = parseFrame(dv, 0, p.data.length, p.linktype, b, i);
      if (ipLen < 0) {
        b.length--;
        skipped++;
        continue;
      }
      b.packets[i] = 1;
      b.bytes[i] = ipLen > 0 && sink.packetLength === 'ip' ? ipLen : p.origLen;
      b.samplingRate[i] = 1;
      b.startMs[i] = b.endMs[i] = p.timeMs;
      b.exporter[i] = 0;
      b.format[i] = FORMAT_CODE.pcap;
      exp.records++;
    }
  }
  return {
    mode,
    sink,
    exporters,
    packets: cap.packets.length,
    skipped,
    ...(cap.error ? { captureError: cap.error } : {}),
  };
}
