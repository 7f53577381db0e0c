// Route distinguishers (RFC 4364 §4.2: type 0 = 2-octet AS:4-octet number, type 1 = IPv4:2-octet number,
// type 2 = 4-octet AS:2-octet number) and the same three administrator:assigned-number forms used by
// route targets (RFC 4360 §4, RFC 5668) and FlowSpec redirect (RFC 8955 §7.4).
// Text: "65000:1" (type 0), "192.0.2.1:1" (type 1), "4200000000:1" (type 2); a 4-octet AS that would fit
// in 2 octets is written "65000L:1" so type 2 survives a round trip.
import { tryParseIp } from '../net/index.js';

export type AdminType = 0 | 1 | 2;

/** Administrator and assigned number in their 6-octet wire layout, with the form type. */
export interface AdminValue {
  readonly type: AdminType;
  /** 6 octets: type 0 = AS(2) number(4); type 1 = IPv4(4) number(2); type 2 = AS(4) number(2). */
  readonly bytes: Uint8Array;
}

const DEC = /^(0|[1-9][0-9]*)$/;

function u(text: string, max: number): number | undefined {
  if (!DEC.test(text) || text.length > 10) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** Parses "AS:N", "ASL:N" or "IPv4:N" into the 6-octet value; returns a reason string on failure. */
export function parseAdminValue(text: string): AdminValue | string {
  if (typeof text !== 'string') return 'not a string';
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return `${JSON.stringify(text)} is not ADMIN:NUMBER`;
  const admin = text.slice(0, colon);
  const num = text.slice(colon + 1);
  const b = new Uint8Array(6);
  const dv = new DataView(b.buffer);
  if (admin.includes('.')) {
    const ip = tryParseIp(admin);
    if (ip === undefined || ip.family !== 4) return `${JSON.stringify(admin)} is not an IPv4 address`;
    const n = u(num, 0xffff);
    if (n === undefined)
      return `assigned number ${JSON.stringify(num)} must be 0-65535 with an IPv4 administrator`;
    b.set(ip.bytes, 0);
    dv.setUint16(4, n);
    return { type: 1, bytes: b };
  }
  const forced4 = admin.endsWith('L');
  const asn = u(forced4 ? admin.slice(0, -1) : admin, 0xffffffff);
  if (asn === undefined) return `administrator ${JSON.stringify(admin)} is not an AS number 0-4294967295`;
  if (!forced4 && asn <= 0xffff) {
    const n = u(num, 0xffffffff);
    if (n === undefined)
      return `assigned number ${JSON.stringify(num)} must be 0-4294967295 with a 2-octet AS`;
    dv.setUint16(0, asn);
    dv.setUint32(2, n);
    return { type: 0, bytes: b };
  }
  const n = u(num, 0xffff);
  if (n === undefined) return `assigned number ${JSON.stringify(num)} must be 0-65535 with a 4-octet AS`;
  dv.setUint32(0, asn);
  dv.setUint16(4, n);
  return { type: 2, bytes: b };
}

/** Canonical text of a 6-octet administrator:number value of the given form. */
export function formatAdminValue(type: AdminType, bytes: Uint8Array, at = 0): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 6);
  if (type === 0) return `${dv.getUint16(0)}:${dv.getUint32(2)}`;
  if (type === 1) return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}:${dv.getUint16(4)}`;
  const asn = dv.getUint32(0);
  return `${asn}${asn <= 0xffff ? 'L' : ''}:${dv.getUint16(4)}`;
}

/** RFC 4364 §4.2 route distinguisher: 2-octet type + 6-octet value. Returns a reason string on failure. */
export function encodeRouteDistinguisher(text: string): Uint8Array | string {
  const v = parseAdminValue(text);
  if (typeof v === 'string') return v;
  const out = new Uint8Array(8);
  out[1] = v.type;
  out.set(v.bytes, 2);
  return out;
}

/** Text of the RD at buf[at..at+8]; types other than 0–2 are kept as "type:hex" so nothing is lost. */
export function decodeRouteDistinguisher(buf: Uint8Array, at = 0): string {
  const type = ((buf[at] as number) << 8) | (buf[at + 1] as number);
  if (type <= 2) return formatAdminValue(type as AdminType, buf, at + 2);
  let hex = '';
  for (let i = 2; i < 8; i++) hex += (buf[at + i] as number).toString(16).padStart(2, '0');
  return `rd-type-${type}:0x${hex}`;
}
