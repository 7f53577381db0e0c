// Path attribute list (RFC 4271 §4.3): flags, type, 1- or 2-octet length (extended length bit), value.
// Decoding applies RFC 7606: per-attribute actions, flag conflicts → treat-as-withdraw (§3 c), duplicates
// → keep the first, MP_* duplicated → session reset (§3 g), missing mandatory → treat-as-withdraw (§3 d).
// Encoding puts MP_REACH/MP_UNREACH first (RFC 7606 §5.1), then ascending type code.
import { u16, u8, Writer } from '../bytes.js';
import { AttrFlag, AttrType } from '../constants.js';
import { bgpError, ErrorCode, UpdateSubcode, type BgpError, type BgpResult } from '../errors.js';
import { decodeAggregator, decodeAtomicAggregate, type Aggregator } from './aggregator.js';
import { decodeAsPath, encodeAsPath, mergeAs4Path, needsAs4Path, type AsPathSegment } from './as-path.js';
import { decodeCommunities, encodeCommunities } from './communities.js';
import { decodeExtCommunities, encodeExtCommunities } from './ext-communities.js';
import { decodeLargeCommunities, encodeLargeCommunities, type LargeCommunity } from './large-communities.js';
import {
  decodeMpReach,
  decodeMpUnreach,
  encodeMpReach,
  encodeMpUnreach,
  type MpReach,
  type MpUnreach,
} from './mp-reach.js';
import { decodeNextHop, encodeNextHop } from './next-hop.js';
import { decodeOrigin, encodeOrigin, type Origin } from './origin.js';
import { decodeU32Attr, encodeU32Attr } from './u32-attr.js';

export interface RawAttribute {
  readonly flags: number;
  readonly type: number;
  readonly value: Uint8Array;
}

export interface PathAttributes {
  readonly origin?: Origin;
  readonly asPath?: readonly AsPathSegment[];
  readonly nextHop?: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: boolean;
  readonly aggregator?: Aggregator;
  readonly communities?: readonly number[];
  readonly extendedCommunities?: readonly Uint8Array[];
  readonly largeCommunities?: readonly LargeCommunity[];
  readonly mpReach?: MpReach;
  readonly mpUnreach?: MpUnreach;
  /** Attributes we do not interpret, kept as received. */
  readonly unknown?: readonly RawAttribute[];
}

export interface CodecContext {
  /** RFC 6793: both sides sent the 4-octet AS capability. */
  readonly fourOctetAs: boolean;
}

/** Required flags (optional + transitive bits) per known attribute type. */
const WELL_KNOWN = AttrFlag.TRANSITIVE;
const OPT_TRANS = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const OPT_NONTRANS = AttrFlag.OPTIONAL;
const EXPECTED_FLAGS: Readonly<Record<number, number>> = {
  [AttrType.ORIGIN]: WELL_KNOWN,
  [AttrType.AS_PATH]: WELL_KNOWN,
  [AttrType.NEXT_HOP]: WELL_KNOWN,
  [AttrType.MULTI_EXIT_DISC]: OPT_NONTRANS,
  [AttrType.LOCAL_PREF]: WELL_KNOWN,
  [AttrType.ATOMIC_AGGREGATE]: WELL_KNOWN,
  [AttrType.AGGREGATOR]: OPT_TRANS,
  [AttrType.COMMUNITIES]: OPT_TRANS,
  [AttrType.MP_REACH_NLRI]: OPT_NONTRANS,
  [AttrType.MP_UNREACH_NLRI]: OPT_NONTRANS,
  [AttrType.EXTENDED_COMMUNITIES]: OPT_TRANS,
  [AttrType.AS4_PATH]: OPT_TRANS,
  [AttrType.AS4_AGGREGATOR]: OPT_TRANS,
  [AttrType.LARGE_COMMUNITY]: OPT_TRANS,
};

function writeAttr(w: Writer, type: number, value: Uint8Array): void {
  let flags = EXPECTED_FLAGS[type] ?? OPT_TRANS;
  if (value.length > 255) flags |= AttrFlag.EXTENDED_LENGTH;
  if (value.length > 0xffff)
    throw new Error(`attribute ${type} value of ${value.length} bytes exceeds 65535`);
  w.u8(flags).u8(type);
  if (flags & AttrFlag.EXTENDED_LENGTH) w.u16(value.length);
  else w.u8(value.length);
  w.bytes(value);
}

/** Encode the path attribute field (without its 2-octet total length). */
export function encodeAttributes(a: PathAttributes, ctx: CodecContext): Uint8Array {
  const w = new Writer(128);
  if (a.mpReach) writeAttr(w, AttrType.MP_REACH_NLRI, encodeMpReach(a.mpReach));
  if (a.mpUnreach) writeAttr(w, AttrType.MP_UNREACH_NLRI, encodeMpUnreach(a.mpUnreach));
  if (a.origin !== undefined) writeAttr(w, AttrType.ORIGIN, encodeOrigin(a.origin));
  if (a.asPath) writeAttr(w, AttrType.AS_PATH, encodeAsPath(a.asPath, ctx.fourOctetAs));
  if (a.nextHop !== undefined) writeAttr(w, AttrType.NEXT_HOP, encodeNextHop(a.nextHop));
  if (a.med !== undefined) writeAttr(w, AttrType.MULTI_EXIT_DISC, encodeU32Attr(a.med));
  if (a.localPref !== undefined) writeAttr(w, AttrType.LOCAL_PREF, encodeU32Attr(a.localPref));
  if (a.atomicAggregate) writeAttr(w, AttrType.ATOMIC_AGGREGATE, new Uint8Array(0));
  if (a.communities && a.communities.length > 0)
    writeAttr(w, AttrType.COMMUNITIES, encodeCommunities(a.communities));
  if (a.extendedCommunities && a.extendedCommunities.length > 0) {
    writeAttr(w, AttrType.EXTENDED_COMMUNITIES, encodeExtCommunities(a.extendedCommunities));
  }
  // RFC 6793 §4.2.2: a 2-octet session carries the true path in AS4_PATH.
  if (a.asPath && !ctx.fourOctetAs && needsAs4Path(a.asPath)) {
    writeAttr(w, AttrType.AS4_PATH, encodeAsPath(a.asPath, true));
  }
  if (a.largeCommunities && a.largeCommunities.length > 0) {
    writeAttr(w, AttrType.LARGE_COMMUNITY, encodeLargeCommunities(a.largeCommunities));
  }
  for (const u of a.unknown ?? []) writeAttr(w, u.type, u.value);
  return w.finish();
}

/** One attribute-level problem found while decoding (the UPDATE itself survived). */
export interface AttributeIssue {
  readonly type: number;
  readonly error: BgpError;
}

export interface DecodedAttributes {
  readonly attributes: PathAttributes;
  /** Problems handled by attribute-discard or treat-as-withdraw. */
  readonly issues: readonly AttributeIssue[];
  /** RFC 7606: the NLRIs of this UPDATE must be handled as withdrawn. */
  readonly treatAsWithdraw: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Decode the path attribute field. Returns a BgpError only when the whole session must be reset (or the
 * AFI/SAFI disabled); lesser errors are reported in `issues`.
 */
export function decodeAttributes(buf: Uint8Array, ctx: CodecContext): BgpResult<DecodedAttributes> {
  const a: Mutable<PathAttributes> = {};
  const issues: AttributeIssue[] = [];
  const seen = new Set<number>();
  const unknown: RawAttribute[] = [];
  let as4Path: AsPathSegment[] | undefined;
  let treatAsWithdraw = false;
  const note = (type: number, e: BgpError): void => {
    issues.push({ type, error: e });
    if (e.action === 'treat-as-withdraw') treatAsWithdraw = true;
  };

  let o = 0;
  while (o < buf.length) {
    if (o + 3 > buf.length) {
      // RFC 7606 §4: cannot parse the attribute header; NLRI field is still locatable → treat-as-withdraw.
      note(
        0,
        bgpError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          'truncated attribute header',
          'treat-as-withdraw',
        ),
      );
      break;
    }
    const flags = u8(buf, o);
    const type = u8(buf, o + 1);
    const ext = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    const hdr = ext ? 4 : 3;
    if (o + hdr > buf.length) {
      note(
        type,
        bgpError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.ATTRIBUTE_LENGTH,
          'truncated attribute length',
          'treat-as-withdraw',
        ),
      );
      break;
    }
    const len = ext ? u16(buf, o + 2) : u8(buf, o + 2);
    if (o + hdr + len > buf.length) {
      // RFC 7606 §4: an attribute length overrunning the field. If an MP attribute may be inside it we
      // cannot find its NLRIs: session reset; otherwise treat-as-withdraw.
      const e = bgpError(
        ErrorCode.UPDATE_MESSAGE,
        UpdateSubcode.ATTRIBUTE_LENGTH,
        `attribute ${type} length ${len} runs past the attribute field`,
        type === AttrType.MP_REACH_NLRI || type === AttrType.MP_UNREACH_NLRI
          ? 'session-reset'
          : 'treat-as-withdraw',
        buf.slice(o, Math.min(buf.length, o + hdr + len)),
      );
      if (e.action === 'session-reset') return e;
      note(type, e);
      break;
    }
    const value = buf.subarray(o + hdr, o + hdr + len);
    const whole = buf.slice(o, o + hdr + len);
    o += hdr + len;

    if (seen.has(type)) {
      if (type === AttrType.MP_REACH_NLRI || type === AttrType.MP_UNREACH_NLRI) {
        return bgpError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          `duplicate attribute ${type}`,
        );
      }
      note(
        type,
        bgpError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          `duplicate attribute ${type} discarded`,
          'attribute-discard',
        ),
      );
      continue;
    }
    seen.add(type);

    const expected = EXPECTED_FLAGS[type];
    if (expected === undefined) {
      if ((flags & AttrFlag.OPTIONAL) === 0) {
        // RFC 4271 §6.3 (unchanged by RFC 7606): unrecognised well-known attribute.
        return bgpError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.UNRECOGNIZED_WELL_KNOWN,
          `unrecognised well-known attribute ${type}`,
          'session-reset',
          whole,
        );
      }
      unknown.push({ flags, type, value: value.slice() });
      continue;
    }
    if ((flags & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) !== expected) {
      const e = bgpError(
        ErrorCode.UPDATE_MESSAGE,
        UpdateSubcode.ATTRIBUTE_FLAGS,
        `attribute ${type} flags 0x${flags.toString(16)}`,
        type === AttrType.MP_REACH_NLRI || type === AttrType.MP_UNREACH_NLRI
          ? 'session-reset'
          : 'treat-as-withdraw',
        whole,
      );
      if (e.action === 'session-reset') return e;
      note(type, e);
      continue;
    }

    const r = decodeOne(type, value, ctx, a, (s) => (as4Path = s));
    if (r) {
      if (r.action === 'session-reset' || r.action === 'afi-safi-disable') return r;
      note(type, r);
    }
  }

  if (as4Path && a.asPath && !ctx.fourOctetAs) a.asPath = mergeAs4Path(a.asPath, as4Path);
  if (unknown.length > 0) a.unknown = unknown;
  return { ok: true, value: { attributes: a, issues, treatAsWithdraw } };
}

/** Decode one known attribute into `a`; returns an error for the caller to classify, or undefined. */
function decodeOne(
  type: number,
  value: Uint8Array,
  ctx: CodecContext,
  a: Mutable<PathAttributes>,
  setAs4Path: (s: AsPathSegment[]) => void,
): BgpError | undefined {
  const take = <T>(r: BgpResult<T>, set: (v: T) => void): BgpError | undefined => {
    if (!r.ok) return r;
    set(r.value);
    return undefined;
  };
  switch (type) {
    case AttrType.ORIGIN:
      return take(decodeOrigin(value), (v) => (a.origin = v));
    case AttrType.AS_PATH:
      return take(decodeAsPath(value, ctx.fourOctetAs), (v) => (a.asPath = v));
    case AttrType.NEXT_HOP:
      return take(decodeNextHop(value), (v) => (a.nextHop = v));
    case AttrType.MULTI_EXIT_DISC:
      return take(decodeU32Attr('MULTI_EXIT_DISC', value), (v) => (a.med = v));
    case AttrType.LOCAL_PREF:
      return take(decodeU32Attr('LOCAL_PREF', value), (v) => (a.localPref = v));
    case AttrType.ATOMIC_AGGREGATE:
      return take(decodeAtomicAggregate(value), () => (a.atomicAggregate = true));
    case AttrType.AGGREGATOR:
      return take(decodeAggregator(value, ctx.fourOctetAs), (v) => (a.aggregator = v));
    case AttrType.AS4_AGGREGATOR:
      return take(decodeAggregator(value, true), (v) => {
        if (!ctx.fourOctetAs) a.aggregator = v;
      });
    case AttrType.COMMUNITIES:
      return take(decodeCommunities(value), (v) => (a.communities = v));
    case AttrType.EXTENDED_COMMUNITIES:
      return take(decodeExtCommunities(value), (v) => (a.extendedCommunities = v));
    case AttrType.LARGE_COMMUNITY:
      return take(decodeLargeCommunities(value), (v) => (a.largeCommunities = v));
    case AttrType.AS4_PATH: {
      // RFC 6793 §6: a malformed AS4_PATH is discarded, never a withdraw or reset.
      const r = decodeAsPath(value, true, 'attribute-discard');
      return take(r, setAs4Path);
    }
    case AttrType.MP_REACH_NLRI:
      return take(decodeMpReach(value), (v) => (a.mpReach = v));
    case AttrType.MP_UNREACH_NLRI:
      return take(decodeMpUnreach(value), (v) => (a.mpUnreach = v));
    default:
      return undefined;
  }
}

export function missingMandatory(a: PathAttributes, hasIpv4Nlri: boolean): number | undefined {
  if (a.origin === undefined) return AttrType.ORIGIN;
  if (a.asPath === undefined) return AttrType.AS_PATH;
  if (hasIpv4Nlri && a.nextHop === undefined) return AttrType.NEXT_HOP;
  return undefined;
}
