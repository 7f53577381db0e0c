// Pure packet-header parser shared by sFlow raw-header records and pcap raw traffic: link layer (Ethernet II
// with 802.1Q / 802.1ad QinQ 0x88a8 / 0x9100 tags, Linux SLL/SLL2, BSD null, raw IP), IPv4 (options via IHL,
// RFC 791 fragments), IPv6 with the extension header chain (RFC 8200 §4), TCP/UDP/SCTP ports, TCP flags,
// ICMP/ICMPv6 type/code (NetFlow convention dstPort = type << 8 | code), GRE as protocol only.
import { FRAG_FIRST, FRAG_IS_FRAGMENT, FRAG_LATER, type FlowBatch } from './batch.js';

export const LINK_NULL = 0;
export const LINK_ETHERNET = 1;
export const LINK_RAW = 101;
export const LINK_SLL = 113;
export const LINK_SLL2 = 276;
/** sFlow header_protocol values (sflow_version_5.txt): 1 Ethernet, 11 IPv4, 12 IPv6. */
export const SFLOW_HP_ETHERNET = 1;
export const SFLOW_HP_IPV4 = 11;
export const SFLOW_HP_IPV6 = 12;

const MAX_VLAN_TAGS = 4;
const MAX_EXT_HEADERS = 16;

/**
 * Parses the link layer at [off, end) and fills slot `i` of `b` (addresses, proto, ports, flags, fragment, tos).
 * Returns the IP packet length from its header (IPv4 total length, IPv6 payload + 40), or -1 if not IP / unparseable.
 */
export function parseFrame(
  dv: DataView,
  off: number,
  end: number,
  link: number,
  b: FlowBatch,
  i: number,
): number {
  let type = -1;
  switch (link) {
    case LINK_ETHERNET: {
      if (end - off < 14) return -1;
      type = dv.getUint16(off + 12);
      off += 14;
      for (let t = 0; t < MAX_VLAN_TAGS && (type === 0x8100 || type === 0x88a8 || type === 0x9100); t++) {
        if (end - off < 4) return -1;
        // outermost tag's VID (QinQ: the service VLAN)
        if (t === 0) b.vlan[i] = dv.getUint16(off) & 0xfff;
        type = dv.getUint16(off + 2);
        off += 4;
      }
      break;
    }
    case LINK_SLL:
      if (end - off < 16) return -1;
      type = dv.getUint16(off + 14);
      off += 16;
      break;
    case LINK_SLL2:
      if (end - off < 20) return -1;
      type = dv.getUint16(off);
      off += 20;
      break;
    case LINK_NULL: {
      if (end - off < 4) return -1;
      // BSD loopback: address family in host byte order (2 = AF_INET; 24, 28, 30 = AF_INET6 on BSDs/macOS, 10 Linux)
      let af = dv.getUint32(off, true);
      if (af > 0xffff) af = dv.getUint32(off, false);
      type = af === 2 ? 0x0800 : af === 24 || af === 28 || af === 30 || af === 10 ? 0x86dd : -1;
      off += 4;
      break;
    }
    case LINK_RAW:
    case SFLOW_HP_IPV4:
    case SFLOW_HP_IPV6:
      type = 0;
      break;
    default:
      return -1;
  }
  if (type === 0) {
    if (end - off < 1) return -1;
    const v = dv.getUint8(off) >> 4;
    type = v === 4 ? 0x0800 : v === 6 ? 0x86dd : -1;
  }
  if (type === 0x0800) return parseIpv4(dv, off, end, b, i);
  if (type === 0x86dd) return parseIpv6(dv, off, end, b, i);
  return -1;
}

export function parseIpv4(dv: DataView, off: number, end: number, b: FlowBatch, i: number): number {
  if (end - off < 20) return -1;
  const vihl = dv.getUint8(off);
  const ihl = (vihl & 15) * 4;
  if (vihl >> 4 !== 4 || ihl < 20) return -1;
  const total = dv.getUint16(off + 2);
  const frag = dv.getUint16(off + 6);
  const proto = dv.getUint8(off + 9);
  b.family[i] = 4;
  b.tos[i] = dv.getUint8(off + 1);
  b.proto[i] = proto;
  b.srcAddr[i * 4] = dv.getUint32(off + 12);
  b.dstAddr[i * 4] = dv.getUint32(off + 16);
  const offset = frag & 0x1fff;
  if (offset > 0) {
    b.fragment[i] = FRAG_IS_FRAGMENT | FRAG_LATER;
    return total;
  }
  if (frag & 0x2000) b.fragment[i] = FRAG_IS_FRAGMENT | FRAG_FIRST;
  parseL4(dv, off + ihl, end, proto, b, i);
  return total;
}

export function parseIpv6(dv: DataView, off: number, end: number, b: FlowBatch, i: number): number {
  if (end - off < 40) return -1;
  const w0 = dv.getUint32(off);
  if (w0 >>> 28 !== 6) return -1;
  const total = dv.getUint16(off + 4) + 40;
  let next = dv.getUint8(off + 6);
  b.family[i] = 6;
  b.tos[i] = (w0 >>> 20) & 0xff;
  const a = i * 4;
  for (let k = 0; k < 4; k++) {
    b.srcAddr[a + k] = dv.getUint32(off + 8 + k * 4);
    b.dstAddr[a + k] = dv.getUint32(off + 24 + k * 4);
  }
  off += 40;
  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    if (next === 44) {
      // fragment header: next(1) reserved(1) offset<<3 | M(2) id(4)
      if (end - off < 8) break;
      const fo = dv.getUint16(off + 2);
      const nh = dv.getUint8(off);
      if (fo >> 3 > 0) {
        b.fragment[i] = FRAG_IS_FRAGMENT | FRAG_LATER;
        b.proto[i] = nh;
        return total;
      }
      if (fo & 1) b.fragment[i] = FRAG_IS_FRAGMENT | FRAG_FIRST;
      next = nh;
      off += 8;
    } else if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (end - off < 2) break;
      const nh = dv.getUint8(off);
      off += (dv.getUint8(off + 1) + 1) * 8;
      next = nh;
    } else if (next === 51) {
      // AH length is in 4-octet units minus 2 (RFC 4302 §2.2)
      if (end - off < 2) break;
      const nh = dv.getUint8(off);
      off += (dv.getUint8(off + 1) + 2) * 4;
      next = nh;
    } else break;
  }
  b.proto[i] = next;
  parseL4(dv, off, end, next, b, i);
  return total;
}

function parseL4(dv: DataView, off: number, end: number, proto: number, b: FlowBatch, i: number): void {
  switch (proto) {
    case 6:
      if (end - off < 14) return;
      b.srcPort[i] = dv.getUint16(off);
      b.dstPort[i] = dv.getUint16(off + 2);
      b.tcpFlags[i] = dv.getUint8(off + 13);
      return;
    case 17:
    case 132:
    case 136:
      if (end - off < 4) return;
      b.srcPort[i] = dv.getUint16(off);
      b.dstPort[i] = dv.getUint16(off + 2);
      return;
    case 1:
    case 58:
      if (end - off < 2) return;
      b.dstPort[i] = dv.getUint16(off);
      return;
    default:
      // GRE (47), ESP, …: no ports
      return;
  }
}
