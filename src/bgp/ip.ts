// Address bytes for the BGP codec: text <-> network-order bytes for IPv4/IPv6 (no allocation-heavy parsing
// on hot paths; used when encoding next hops and unicast prefixes).
import ipaddr from 'ipaddr.js';

export function ipToBytes(text: string): Uint8Array | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return Uint8Array.from(addr.toByteArray());
}

export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length === 16) return (ipaddr.fromByteArray(Array.from(bytes)) as ipaddr.IPv6).toRFC5952String();
  throw new Error(`address must be 4 or 16 bytes, got ${bytes.length}`);
}

export function ipFamily(text: string): 4 | 6 | undefined {
  const b = ipToBytes(text);
  return b ? (b.length === 4 ? 4 : 6) : undefined;
}

/** A unicast prefix as the codec carries it: host bits zero. */
export interface WirePrefix {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly length: number;
}

export function parseWirePrefix(text: string): WirePrefix | undefined {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const bytes = ipToBytes(addrText);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const lenText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const length = Number(lenText);
  if (length > max) return undefined;
  const masked = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, length - i * 8));
    masked[i] = (bytes[i] ?? 0) & ((0xff << (8 - bits)) & 0xff);
  }
  return { family: bytes.length === 4 ? 4 : 6, bytes: masked, length };
}

export function formatWirePrefix(p: WirePrefix): string {
  return `${bytesToIp(p.bytes)}/${p.length}`;
}
