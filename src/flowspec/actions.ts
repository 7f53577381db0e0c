// FlowSpec actions as 8-octet BGP extended communities (RFC 4360): traffic-rate-bytes 0x8006,
// traffic-rate-packets 0x800c, traffic-action 0x8007, redirect 0x8008/0x8108/0x8208 and
// traffic-marking 0x8009 (RFC 8955 §7, RFC 7674 folded into it); redirect-to-IP as 0x0800 with the
// next hop in MP_REACH_NLRI and a copy bit (draft-simpson-idr-flowspec-redirect, what Junos and
// ExaBGP "redirect-to-nexthop" send) or 0x010c with the IPv4 address inside
// (draft-ietf-idr-flowspec-redirect-ip). Also route targets 0x0002/0x0102/0x0202 (RFC 4360 §4, RFC 5668).
import { tryParseIp } from '../net/index.js';
import { FlowSpecEncodeError } from './errors.js';
import { formatAdminValue, parseAdminValue, type AdminType } from './rd.js';
import type { FlowSpecAction } from './types.js';

/** Extended community type/subtype pairs (high octet = type, low = subtype). */
export const EXT_COMMUNITY = {
  trafficRateBytes: 0x8006,
  trafficAction: 0x8007,
  redirectAs2: 0x8008,
  redirectIpv4: 0x8108,
  redirectAs4: 0x8208,
  trafficMarking: 0x8009,
  trafficRatePackets: 0x800c,
  redirectToNextHop: 0x0800,
  redirectToIpv4: 0x010c,
  routeTargetAs2: 0x0002,
  routeTargetIpv4: 0x0102,
  routeTargetAs4: 0x0202,
} as const;

// traffic-action last-octet bits (RFC 8955 §7.3): Terminal is bit 47, Sample bit 46.
const ACTION_TERMINAL = 0x01;
const ACTION_SAMPLE = 0x02;
// redirect-to-IP copy bit (least significant bit of the value).
const COPY = 0x01;

export interface EncodeActionOptions {
  /**
   * Wire form of redirect-ip: 'next-hop' (0x0800, default; the BGP layer puts `nextHop` into the
   * MP_REACH_NLRI next hop) or 'ipv4-community' (0x010c, IPv4 next hops only).
   */
  readonly redirectIp?: 'next-hop' | 'ipv4-community';
}

function bad(message: string): never {
  throw new FlowSpecEncodeError('action-invalid', message);
}

function asn2(asn: number, what: string): number {
  if (!Number.isInteger(asn) || asn < 0 || asn > 0xffff)
    bad(`${what}: AS ${asn} must be a 2-octet AS number 0-65535`);
  return asn;
}

/** Largest finite IEEE-754 single: the traffic-rate field cannot say more (RFC 8955 §7.1, §7.2). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Why a rate cannot travel in the 4-octet IEEE-754 single of a traffic-rate community, or undefined when
 * it can. 0 is a discard (RFC 8955 §7.1); a positive rate that rounds to 0 would silently become one, and
 * one beyond the largest single would reach the wire as +Infinity.
 */
export function float32RateProblem(v: number): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `rate ${v} must be a finite number >= 0`;
  const f = Math.fround(v);
  if (!Number.isFinite(f))
    return `rate ${v} exceeds the largest 32-bit float (${FLOAT32_MAX}) the field holds`;
  if (v > 0 && f === 0)
    return `rate ${v} is below the smallest 32-bit float: it would reach the wire as 0, a discard`;
  return undefined;
}

function rate(v: number, what: string): number {
  const problem = float32RateProblem(v);
  if (problem !== undefined) bad(`${what}: ${problem}`);
  return v + 0; // -0 would put the sign bit on the wire
}

function header(type: number): { out: Uint8Array; dv: DataView } {
  const out = new Uint8Array(8);
  out[0] = type >>> 8;
  out[1] = type & 0xff;
  return { out, dv: new DataView(out.buffer) };
}

const REDIRECT_TYPE: Record<AdminType, number> = {
  0: EXT_COMMUNITY.redirectAs2,
  1: EXT_COMMUNITY.redirectIpv4,
  2: EXT_COMMUNITY.redirectAs4,
};
const RT_TYPE: Record<AdminType, number> = {
  0: EXT_COMMUNITY.routeTargetAs2,
  1: EXT_COMMUNITY.routeTargetIpv4,
  2: EXT_COMMUNITY.routeTargetAs4,
};

type ActionKind = FlowSpecAction['kind'];
type ActionOf<K extends ActionKind> = Extract<FlowSpecAction, { kind: K }>;

/** One encoder per action kind: an exhaustive map, so a new kind fails the build until handled. */
const ENCODERS: { readonly [K in ActionKind]: (a: ActionOf<K>, o: EncodeActionOptions) => Uint8Array } = {
  'traffic-rate-bytes': (a) => {
    const { out, dv } = header(EXT_COMMUNITY.trafficRateBytes);
    dv.setUint16(2, asn2(a.asn, 'traffic-rate-bytes'));
    dv.setFloat32(4, rate(a.bytesPerSecond, 'traffic-rate-bytes'));
    return out;
  },
  'traffic-rate-packets': (a) => {
    const { out, dv } = header(EXT_COMMUNITY.trafficRatePackets);
    dv.setUint16(2, asn2(a.asn, 'traffic-rate-packets'));
    dv.setFloat32(4, rate(a.packetsPerSecond, 'traffic-rate-packets'));
    return out;
  },
  'traffic-action': (a) => {
    const { out } = header(EXT_COMMUNITY.trafficAction);
    out[7] = (a.terminal ? ACTION_TERMINAL : 0) | (a.sample ? ACTION_SAMPLE : 0);
    return out;
  },
  'redirect-vrf': (a) => {
    const v = parseAdminValue(a.routeTarget);
    if (typeof v === 'string') bad(`redirect-vrf: route target ${v}`);
    const { out } = header(REDIRECT_TYPE[v.type]);
    out.set(v.bytes, 2);
    return out;
  },
  'traffic-marking': (a) => {
    if (!Number.isInteger(a.dscp) || a.dscp < 0 || a.dscp > 63)
      bad(`traffic-marking: DSCP ${a.dscp} must be 0-63`);
    const { out } = header(EXT_COMMUNITY.trafficMarking);
    out[7] = a.dscp;
    return out;
  },
  'redirect-ip': (a, o) => {
    const ip = tryParseIp(a.nextHop);
    if (ip === undefined) bad(`redirect-ip: ${JSON.stringify(a.nextHop)} is not an IP address`);
    if (o.redirectIp === 'ipv4-community') {
      if (ip.family !== 4) bad('redirect-ip: the 0x010c form carries IPv4 next hops only');
      const { out } = header(EXT_COMMUNITY.redirectToIpv4);
      out.set(ip.bytes, 2);
      out[7] = a.copy ? COPY : 0;
      return out;
    }
    const { out } = header(EXT_COMMUNITY.redirectToNextHop);
    out[7] = a.copy ? COPY : 0;
    return out;
  },
};

/** The 8-octet extended community for a FlowSpec action. Throws FlowSpecEncodeError for invalid values. */
export function encodeFlowSpecAction(a: FlowSpecAction, opts: EncodeActionOptions = {}): Uint8Array {
  const enc = ENCODERS[a.kind] as ((a: FlowSpecAction, o: EncodeActionOptions) => Uint8Array) | undefined;
  if (enc === undefined) bad(`unknown action kind ${JSON.stringify((a as { kind: unknown }).kind)}`);
  return enc(a, opts);
}

/** Encodes a route target extended community (0x0002/0x0102/0x0202) from its text. */
export function encodeRouteTarget(text: string): Uint8Array {
  const v = parseAdminValue(text);
  if (typeof v === 'string') bad(`route target ${v}`);
  const { out } = header(RT_TYPE[v.type]);
  out.set(v.bytes, 2);
  return out;
}

export type DecodedExtendedCommunity =
  | { readonly kind: 'action'; readonly action: FlowSpecAction }
  /** 0x0800 without a next hop supplied: the address lives in MP_REACH_NLRI. */
  | { readonly kind: 'redirect-to-next-hop'; readonly copy: boolean }
  | { readonly kind: 'route-target'; readonly routeTarget: string }
  | { readonly kind: 'unknown'; readonly type: number; readonly subtype: number; readonly bytes: Uint8Array }
  /** Not 8 octets (RFC 7606 §7.14: the attribute length must be a multiple of 8). */
  | { readonly kind: 'malformed'; readonly reason: string };

export interface DecodeActionOptions {
  /** MP_REACH_NLRI next hop of the route, to complete a 0x0800 redirect into a redirect-ip action. */
  readonly nextHop?: string;
}

/** Classifies one 8-octet extended community. Never throws; unknown types come back raw. */
export function decodeExtendedCommunity(
  bytes: Uint8Array,
  opts: DecodeActionOptions = {},
): DecodedExtendedCommunity {
  if (bytes.length !== 8)
    return { kind: 'malformed', reason: `extended community of ${bytes.length} octets, need 8` };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const type = dv.getUint16(0);
  const action = (a: FlowSpecAction): DecodedExtendedCommunity => ({ kind: 'action', action: a });
  switch (type) {
    case EXT_COMMUNITY.trafficRateBytes:
      return action({ kind: 'traffic-rate-bytes', asn: dv.getUint16(2), bytesPerSecond: dv.getFloat32(4) });
    case EXT_COMMUNITY.trafficRatePackets:
      return action({
        kind: 'traffic-rate-packets',
        asn: dv.getUint16(2),
        packetsPerSecond: dv.getFloat32(4),
      });
    case EXT_COMMUNITY.trafficAction: {
      const b = bytes[7] as number;
      return action({
        kind: 'traffic-action',
        terminal: (b & ACTION_TERMINAL) !== 0,
        sample: (b & ACTION_SAMPLE) !== 0,
      });
    }
    case EXT_COMMUNITY.redirectAs2:
      return action({ kind: 'redirect-vrf', routeTarget: formatAdminValue(0, bytes, 2) });
    case EXT_COMMUNITY.redirectIpv4:
      return action({ kind: 'redirect-vrf', routeTarget: formatAdminValue(1, bytes, 2) });
    case EXT_COMMUNITY.redirectAs4:
      return action({ kind: 'redirect-vrf', routeTarget: formatAdminValue(2, bytes, 2) });
    case EXT_COMMUNITY.trafficMarking:
      // Six low bits carry the DSCP; the rest are reserved and ignored (RFC 8955 §7.5).
      return action({ kind: 'traffic-marking', dscp: (bytes[7] as number) & 0x3f });
    case EXT_COMMUNITY.redirectToNextHop: {
      const copy = ((bytes[7] as number) & COPY) !== 0;
      if (opts.nextHop === undefined) return { kind: 'redirect-to-next-hop', copy };
      return action({ kind: 'redirect-ip', nextHop: opts.nextHop, copy });
    }
    case EXT_COMMUNITY.redirectToIpv4:
      return action({
        kind: 'redirect-ip',
        nextHop: `${bytes[2]}.${bytes[3]}.${bytes[4]}.${bytes[5]}`,
        copy: ((bytes[7] as number) & COPY) !== 0,
      });
    case EXT_COMMUNITY.routeTargetAs2:
      return { kind: 'route-target', routeTarget: formatAdminValue(0, bytes, 2) };
    case EXT_COMMUNITY.routeTargetIpv4:
      return { kind: 'route-target', routeTarget: formatAdminValue(1, bytes, 2) };
    case EXT_COMMUNITY.routeTargetAs4:
      return { kind: 'route-target', routeTarget: formatAdminValue(2, bytes, 2) };
    default:
      return {
        kind: 'unknown',
        type: bytes[0] as number,
        subtype: bytes[1] as number,
        bytes: Uint8Array.from(bytes),
      };
  }
}
