// Packet builder and the RIG §7.1 traffic mix (DNS reflection, SYN flood, IPv6 UDP, benign TCP), generated
// deterministically in TypeScript so the conformance tests need no scapy.
import { parseIp } from '../../src/net/address.js';
import type { PcapPacket } from '../../src/flow/pcap-writer.js';

const MAC_SRC = [2, 0, 0, 0, 0, 1];
const MAC_DST = [2, 0, 0, 0, 0, 2];

function ipBytes(text: string): Uint8Array {
  return parseIp(text).bytes;
}

function checksum(parts: Uint8Array[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Ethernet II frame; vlans are outer-first [tpid, vid] pairs (0x8100, 0x88a8, 0x9100). */
export function ether(ethertype: number, payload: Uint8Array, vlans: [number, number][] = []): Uint8Array {
  const h = Buffer.alloc(14 + vlans.length * 4);
  h.set(MAC_DST, 0);
  h.set(MAC_SRC, 6);
  let o = 12;
  for (const [tpid, vid] of vlans) {
    h.writeUInt16BE(tpid, o);
    h.writeUInt16BE(vid, o + 2);
    o += 4;
  }
  h.writeUInt16BE(ethertype, o);
  return concat(h, payload);
}

export interface Ipv4Opts {
  ttl?: number;
  id?: number;
  tos?: number;
  mf?: boolean;
  fragOffset?: number; // in 8-octet units
  options?: Uint8Array; // padded to 4 octets by the caller
  totalLength?: number;
}

export function ipv4(
  src: string,
  dst: string,
  proto: number,
  payload: Uint8Array,
  o: Ipv4Opts = {},
): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const h = Buffer.alloc(20 + opt.length);
  h[0] = 0x40 | ((20 + opt.length) >> 2);
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(o.totalLength ?? h.length + payload.length, 2);
  h.writeUInt16BE(o.id ?? 1, 4);
  h.writeUInt16BE((o.mf ? 0x2000 : 0) | (o.fragOffset ?? 0), 6);
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  h.set(ipBytes(src), 12);
  h.set(ipBytes(dst), 16);
  h.set(opt, 20);
  h.writeUInt16BE(checksum([h]), 10);
  return concat(h, payload);
}

/** IPv6 with an optional chain of extension headers given as [nextHeaderType, body] (body excludes the 2 first octets). */
export function ipv6(
  src: string,
  dst: string,
  proto: number,
  payload: Uint8Array,
  ext: [number, Uint8Array][] = [],
): Uint8Array {
  const parts: Uint8Array[] = [];
  let first = proto;
  for (let k = ext.length - 1; k >= 0; k--) {
    const [type, body] = ext[k]!;
    const e = Buffer.alloc(2 + body.length);
    e[0] = first;
    e[1] = type === 44 ? 0 : (e.length >> 3) - 1; // fragment header has reserved octet
    e.set(body, 2);
    parts.unshift(e);
    first = type;
  }
  const rest = concat(...parts, payload);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(rest.length, 4);
  h[6] = first;
  h[7] = 64;
  h.set(ipBytes(src), 8);
  h.set(ipBytes(dst), 24);
  return concat(h, rest);
}

export function udp(
  sport: number,
  dport: number,
  payload: Uint8Array,
  pseudo?: { src: string; dst: string },
): Uint8Array {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  if (pseudo) h.writeUInt16BE(l4Checksum(pseudo.src, pseudo.dst, 17, concat(h, payload)) || 0xffff, 6);
  return concat(h, payload);
}

export function tcp(
  sport: number,
  dport: number,
  flags: number,
  payload: Uint8Array,
  seq = 0,
  pseudo?: { src: string; dst: string },
): Uint8Array {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  if (pseudo) h.writeUInt16BE(l4Checksum(pseudo.src, pseudo.dst, 6, concat(h, payload)), 16);
  return concat(h, payload);
}

export function icmp(type: number, code: number, payload: Uint8Array = new Uint8Array(8)): Uint8Array {
  const h = Buffer.alloc(4);
  h[0] = type;
  h[1] = code;
  const m = concat(h, payload);
  Buffer.from(m.buffer, m.byteOffset, m.length).writeUInt16BE(checksum([m]), 2);
  return m;
}

function l4Checksum(src: string, dst: string, proto: number, seg: Uint8Array): number {
  const s = ipBytes(src);
  const d = ipBytes(dst);
  const p = Buffer.alloc(s.length === 4 ? 4 : 8);
  if (s.length === 4) {
    p[1] = proto;
    p.writeUInt16BE(seg.length, 2);
  } else {
    p.writeUInt32BE(seg.length, 0);
    p[7] = proto;
  }
  return checksum([concat(s, d, p, seg)]);
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const VICTIM4 = '203.0.113.5';
export const VICTIM6 = '2001:db8::5';

/** RIG §7.1 mix scaled by `scale` (1 = 2000 DNS + 3000 SYN + 500 IPv6 UDP + 200 benign over 10 s). */
export function attackMix(t0Ms = 1795490000000, scale = 1): PcapPacket[] {
  const r = rng(42);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: PcapPacket[] = [];
  const dur = 10_000;
  const n1 = Math.round(2000 * scale);
  const n2 = Math.round(3000 * scale);
  const n3 = Math.round(500 * scale);
  const n4 = Math.round(200 * scale);
  for (let i = 0; i < n1; i++) {
    const src = `198.18.0.${int(1, 50)}`;
    const u = udp(53, int(1024, 65535), new Uint8Array(1200), { src, dst: VICTIM4 });
    out.push({
      timeMs: t0Ms + (dur * i) / n1,
      data: ether(0x0800, ipv4(src, VICTIM4, 17, u, { ttl: 57, id: i })),
    });
  }
  for (let i = 0; i < n2; i++) {
    const src = `198.18.1.${int(1, 254)}`;
    const t = tcp(int(1024, 65535), 80, 0x02, new Uint8Array(0), Math.floor(r() * 2 ** 32), {
      src,
      dst: VICTIM4,
    });
    out.push({
      timeMs: t0Ms + (dur * i) / n2 + 0.1,
      data: ether(0x0800, ipv4(src, VICTIM4, 6, t, { id: i })),
    });
  }
  for (let i = 0; i < n3; i++) {
    const src = `2001:db8:ffff::${int(1, 20).toString(16)}`;
    const u = udp(123, int(1024, 65535), new Uint8Array(440), { src, dst: VICTIM6 });
    out.push({ timeMs: t0Ms + (dur * i) / n3 + 0.2, data: ether(0x86dd, ipv6(src, VICTIM6, 17, u)) });
  }
  for (let i = 0; i < n4; i++) {
    const t = tcp(40000, 443, 0x10, Buffer.alloc(500, 0x78), i * 500, {
      src: '198.51.100.10',
      dst: '203.0.113.20',
    });
    out.push({
      timeMs: t0Ms + (dur * i) / n4 + 0.3,
      data: ether(0x0800, ipv4('198.51.100.10', '203.0.113.20', 6, t)),
    });
  }
  out.sort((a, b) => a.timeMs - b.timeMs);
  return out;
}
