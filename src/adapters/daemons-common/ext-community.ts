// FlowSpec actions as 8-octet extended communities (RFC 4360 §2) for daemons that take raw values:
// traffic-rate 0x8006 / 0x800c and traffic-action 0x8007 (RFC 8955 §7), redirect 0x8008/0x8108/0x8208
// (RFC 7674), traffic-marking 0x8009, redirect-to-IPv4 0x010c (draft-ietf-idr-flowspec-redirect-ip).
import { float32RateProblem } from '../../flowspec/actions.js';
import type { FlowSpecAction } from '../../flowspec/types.js';
import { parseIp } from '../../net/index.js';
import { RenderError } from './errors.js';

function u16(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff)
    throw new RenderError('unsupported-action', `${what} ${n} is not 16-bit`);
  return n;
}

function u32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new RenderError('unsupported-action', `${what} ${n} is not 32-bit`);
  return n;
}

/** Route target text "asn:n", "a.b.c.d:n" → the redirect extended community bytes (RFC 7674 §7). */
export function redirectBytes(routeTarget: string): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  const idx = routeTarget.lastIndexOf(':');
  const admin = routeTarget.slice(0, idx);
  const local = Number(routeTarget.slice(idx + 1));
  if (idx <= 0 || !/^\d+$/.test(routeTarget.slice(idx + 1))) {
    throw new RenderError('unsupported-action', `route target "${routeTarget}" is not admin:number`);
  }
  if (admin.includes('.')) {
    const ip = parseIp(admin);
    if (ip.family !== 4)
      throw new RenderError('unsupported-action', `route target "${routeTarget}": IPv4 admin only`);
    b[0] = 0x81;
    b[1] = 0x08;
    b.set(ip.bytes, 2);
    v.setUint16(6, u16(local, 'route target local admin'));
    return b;
  }
  const asn = Number(admin);
  if (!/^\d+$/.test(admin))
    throw new RenderError('unsupported-action', `route target "${routeTarget}" has a bad admin`);
  if (asn <= 0xffff) {
    b[0] = 0x80;
    b[1] = 0x08;
    v.setUint16(2, asn);
    v.setUint32(4, u32(local, 'route target local admin'));
  } else {
    b[0] = 0x82;
    b[1] = 0x08;
    v.setUint32(2, u32(asn, 'route target ASN'));
    v.setUint16(6, u16(local, 'route target local admin'));
  }
  return b;
}

/** A rate the 32-bit float holds as it is meant: never a silent 0 (discard) or Infinity (RFC 8955 §7.1). */
function wireRate(v: number): number {
  const problem = float32RateProblem(v);
  if (problem !== undefined) throw new RenderError('unsupported-action', `traffic-rate: ${problem}`);
  return v;
}

/** One FlowSpec action as 8 octets. IPv6 redirect-to-IP needs the 20-octet IPv6 form and is refused here. */
export function actionBytes(a: FlowSpecAction): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  switch (a.kind) {
    case 'traffic-rate-bytes':
    case 'traffic-rate-packets':
      b[0] = 0x80;
      b[1] = a.kind === 'traffic-rate-bytes' ? 0x06 : 0x0c;
      v.setUint16(2, u16(a.asn, 'traffic-rate ASN'));
      v.setFloat32(4, wireRate(a.kind === 'traffic-rate-bytes' ? a.bytesPerSecond : a.packetsPerSecond));
      return b;
    case 'traffic-action':
      b[0] = 0x80;
      b[1] = 0x07;
      b[7] = (a.sample ? 0x02 : 0) | (a.terminal ? 0x01 : 0);
      return b;
    case 'redirect-vrf':
      return redirectBytes(a.routeTarget);
    case 'traffic-marking':
      if (!Number.isInteger(a.dscp) || a.dscp < 0 || a.dscp > 63) {
        throw new RenderError('unsupported-action', `DSCP ${a.dscp} is not 0..63`);
      }
      b[0] = 0x80;
      b[1] = 0x09;
      b[7] = a.dscp;
      return b;
    case 'redirect-ip': {
      const ip = parseIp(a.nextHop);
      if (ip.family !== 4)
        throw new RenderError('unsupported-action', 'IPv6 redirect-to-IP needs an IPv6 extended community');
      b[0] = 0x01;
      b[1] = 0x0c;
      b.set(ip.bytes, 2);
      b[7] = a.copy ? 0x01 : 0;
      return b;
    }
  }
}

export function hex(bytes: Uint8Array): string {
  return '0x' + Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
}
