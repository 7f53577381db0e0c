// Builds raw Ethernet frames for generated records (IPv4 RFC 791 with header checksum and fragment
// fields, IPv6 RFC 8200 with a Fragment header for fragments, TCP RFC 9293, UDP RFC 768, ICMP/ICMPv6
// echo, GRE RFC 2784) and writes them as a pcap, so captures of every attack family can be replayed
// through softflowd/pmacct or `floodgate replay`. Payload bytes are zero; L4 checksums are computed.

import { FRAG_LATER, type FlowBatch } from '../flow/batch.js';
import { writePcap, type PcapPacket } from '../flow/pcap-writer.js';

function sum16(buf: Uint8Array, off: number, len: number, acc = 0): number {
  for (let i = 0; i + 1 < len; i += 2) acc += ((buf[off + i] as number) << 8) | (buf[off + i + 1] as number);
  if (len & 1) acc += (buf[off + len - 1] as number) << 8;
  return acc;
}
function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

/** One Ethernet frame for record i of the batch (one packet of it); `ipLen` is the IP total length. */
export function buildFrame(b: FlowBatch, i: number, ipId = 0): Uint8Array {
  const v6 = b.family[i] === 6;
  const proto = b.proto[i] as number;
  const later = ((b.fragment[i] as number) & FRAG_LATER) !== 0;
  const fragmented = (b.fragment[i] as number) !== 0;
  const avg = Math.round((b.bytes[i] as number) / Math.max(1, b.packets[i] as number));
  const ipHdr = v6 ? 40 + (fragmented ? 8 : 0) : 20;
  const l4Hdr = later
    ? 0
    : proto === 6
      ? 20
      : proto === 17
        ? 8
        : proto === 1 || proto === 58
          ? 8
          : proto === 47
            ? 4
            : 0;
  const ipLen = Math.max(ipHdr + l4Hdr, Math.min(avg, 9000));
  const frame = new Uint8Array(14 + ipLen);
  const dv = new DataView(frame.buffer);
  // Ethernet: locally administered MACs.
  frame.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, v6 ? 0x86dd : 0x0800);
  const ip = 14;
  const o = i * 4;
  let l4 = ip + ipHdr;
  if (!v6) {
    dv.setUint8(ip, 0x45);
    dv.setUint8(ip + 1, b.tos[i] as number);
    dv.setUint16(ip + 2, ipLen);
    dv.setUint16(ip + 4, ipId & 0xffff);
    // RFC 791: MF on the first fragment, an offset (in 8-byte units) on later ones.
    dv.setUint16(ip + 6, later ? 185 : fragmented ? 0x2000 : 0);
    dv.setUint8(ip + 8, 64);
    dv.setUint8(ip + 9, proto);
    dv.setUint32(ip + 12, b.srcAddr[o] as number);
    dv.setUint32(ip + 16, b.dstAddr[o] as number);
    dv.setUint16(ip + 10, fold(sum16(frame, ip, 20)));
  } else {
    dv.setUint32(ip, 0x60000000 | ((b.tos[i] as number) << 20));
    dv.setUint16(ip + 4, ipLen - 40);
    dv.setUint8(ip + 6, fragmented ? 44 : proto);
    dv.setUint8(ip + 7, 64);
    for (let k = 0; k < 4; k++) {
      dv.setUint32(ip + 8 + 4 * k, b.srcAddr[o + k] as number);
      dv.setUint32(ip + 24 + 4 * k, b.dstAddr[o + k] as number);
    }
    if (fragmented) {
      // RFC 8200 §4.5 Fragment header: next header, offset (13 bits) | M flag, identification.
      dv.setUint8(ip + 40, proto);
      dv.setUint16(ip + 42, later ? 185 << 3 : 1);
      dv.setUint32(ip + 44, ipId);
    }
    l4 = ip + ipHdr;
  }
  if (later) return frame;
  const l4Len = frame.length - l4;
  if (proto === 6) {
    dv.setUint16(l4, b.srcPort[i] as number);
    dv.setUint16(l4 + 2, b.dstPort[i] as number);
    dv.setUint32(l4 + 4, (ipId * 2654435761) >>> 0);
    dv.setUint8(l4 + 12, 0x50);
    dv.setUint8(l4 + 13, b.tcpFlags[i] as number);
    dv.setUint16(l4 + 14, 65535);
  } else if (proto === 17) {
    dv.setUint16(l4, b.srcPort[i] as number);
    dv.setUint16(l4 + 2, b.dstPort[i] as number);
    dv.setUint16(l4 + 4, l4Len);
  } else if (proto === 1 || proto === 58) {
    // NetFlow convention: dstPort carries type << 8 | code.
    dv.setUint8(l4, (b.dstPort[i] as number) >> 8);
    dv.setUint8(l4 + 1, (b.dstPort[i] as number) & 0xff);
    dv.setUint16(l4 + 4, ipId & 0xffff);
  } else if (proto === 47) {
    dv.setUint16(l4 + 2, 0x0800);
  }
  if (proto === 6 || proto === 17 || proto === 58 || (proto === 1 && !v6)) {
    const ck = proto === 6 ? l4 + 16 : proto === 17 ? l4 + 6 : l4 + 2;
    let acc = 0;
    if (proto !== 1) {
      // Pseudo-header: RFC 9293 §3.1 / RFC 768 (IPv4), RFC 8200 §8.1 (IPv6).
      const srcOff = v6 ? ip + 8 : ip + 12;
      const alen = v6 ? 32 : 8;
      acc = sum16(frame, srcOff, alen) + proto + l4Len;
    }
    acc = sum16(frame, l4, l4Len, acc);
    let c = fold(acc);
    if (proto === 17 && c === 0) c = 0xffff;
    dv.setUint16(ck, c);
  }
  return frame;
}

/** Frames of every record of the batches (a record of k packets gives k frames, spread over its time). */
export function batchesToPcap(batches: readonly FlowBatch[], maxPackets = 1_000_000): Buffer {
  const packets: PcapPacket[] = [];
  let id = 1;
  for (const b of batches) {
    for (let i = 0; i < b.length && packets.length < maxPackets; i++) {
      const n = Math.max(1, Math.round(b.packets[i] as number));
      const s = b.startMs[i] as number;
      const d = (b.endMs[i] as number) - s;
      for (let k = 0; k < n && packets.length < maxPackets; k++)
        packets.push({ timeMs: s + (n > 1 ? (d * k) / (n - 1) : 0), data: buildFrame(b, i, id++) });
    }
  }
  packets.sort((a, b) => a.timeMs - b.timeMs);
  return writePcap(packets);
}

/** An Ethernet/IPv4/UDP frame carrying `payload` (export datagrams in captures), with RFC 768 checksum. */
export function udpFrame(
  src: number,
  dst: number,
  sport: number,
  dport: number,
  payload: Uint8Array,
  ipId = 0,
): Uint8Array {
  const ipLen = 20 + 8 + payload.length;
  const f = new Uint8Array(14 + ipLen);
  const dv = new DataView(f.buffer);
  f.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  dv.setUint8(14, 0x45);
  dv.setUint16(16, ipLen);
  dv.setUint16(18, ipId & 0xffff);
  dv.setUint8(22, 64);
  dv.setUint8(23, 17);
  dv.setUint32(26, src >>> 0);
  dv.setUint32(30, dst >>> 0);
  dv.setUint16(24, fold(sum16(f, 14, 20)));
  dv.setUint16(34, sport);
  dv.setUint16(36, dport);
  dv.setUint16(38, 8 + payload.length);
  f.set(payload, 42);
  let c = fold(sum16(f, 26, 8) + 17 + 8 + payload.length + sum16(f, 34, 8 + payload.length));
  if (c === 0) c = 0xffff;
  dv.setUint16(40, c);
  return f;
}
