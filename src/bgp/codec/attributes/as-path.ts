// AS_PATH (RFC 4271 §5.1.2) with 2- or 4-octet ASNs (RFC 6793 §3, §4.2.2: AS_TRANS and AS4_PATH for
// 2-octet peers). Segment types: AS_SET 1, AS_SEQUENCE 2, AS_CONFED_SEQUENCE 3, AS_CONFED_SET 4 (RFC 5065).
// Malformed → treat-as-withdraw (RFC 7606 §7.2); a malformed AS4_PATH is discarded (RFC 6793 §6).
import { u16, u32, u8, Writer } from '../bytes.js';
import { AS_TRANS } from '../constants.js';
import type { Rfc7606Action } from '../../../flowspec/errors.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';

export type SegmentType = 1 | 2 | 3 | 4;
export interface AsPathSegment {
  readonly type: SegmentType;
  readonly asns: readonly number[];
}

export const AS_SET = 1;
export const AS_SEQUENCE = 2;

export function encodeAsPath(segments: readonly AsPathSegment[], fourOctet: boolean): Uint8Array {
  const w = new Writer(16);
  for (const s of segments) {
    // A segment holds at most 255 ASNs; longer sequences are split.
    for (let i = 0; i < s.asns.length || (i === 0 && s.asns.length === 0); i += 255) {
      const chunk = s.asns.slice(i, i + 255);
      w.u8(s.type).u8(chunk.length);
      for (const a of chunk) {
        if (fourOctet) w.u32(a);
        else w.u16(a > 0xffff ? AS_TRANS : a);
      }
      if (s.asns.length === 0) break;
    }
  }
  return w.finish();
}

/** True when any ASN needs 4 octets (then a 2-octet session also needs AS4_PATH, RFC 6793 §4.2.2). */
export function needsAs4Path(segments: readonly AsPathSegment[]): boolean {
  return segments.some((s) => s.asns.some((a) => a > 0xffff));
}

export function decodeAsPath(
  v: Uint8Array,
  fourOctet: boolean,
  action: Rfc7606Action = 'treat-as-withdraw',
  subcode: number = UpdateSubcode.MALFORMED_AS_PATH,
): BgpResult<AsPathSegment[]> {
  const width = fourOctet ? 4 : 2;
  const segs: AsPathSegment[] = [];
  let o = 0;
  while (o < v.length) {
    if (o + 2 > v.length)
      return bgpError(ErrorCode.UPDATE_MESSAGE, subcode, 'truncated AS_PATH segment header', action);
    const type = u8(v, o);
    const count = u8(v, o + 1);
    if (type < 1 || type > 4)
      return bgpError(ErrorCode.UPDATE_MESSAGE, subcode, `AS_PATH segment type ${type}`, action);
    if (count === 0)
      return bgpError(ErrorCode.UPDATE_MESSAGE, subcode, 'AS_PATH segment of length 0', action);
    if (o + 2 + count * width > v.length) {
      return bgpError(ErrorCode.UPDATE_MESSAGE, subcode, 'AS_PATH segment runs past the attribute', action);
    }
    const asns: number[] = [];
    for (let i = 0; i < count; i++) asns.push(fourOctet ? u32(v, o + 2 + i * 4) : u16(v, o + 2 + i * 2));
    segs.push({ type: type as SegmentType, asns });
    o += 2 + count * width;
  }
  return ok(segs);
}

function pathLength(segs: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segs) n += s.type === AS_SET ? 1 : s.type === AS_SEQUENCE ? s.asns.length : 0;
  return n;
}

/** RFC 6793 §4.2.3: rebuild the 4-octet path from a 2-octet AS_PATH and AS4_PATH. */
export function mergeAs4Path(
  asPath: readonly AsPathSegment[],
  as4Path: readonly AsPathSegment[],
): AsPathSegment[] {
  const n2 = pathLength(asPath);
  const n4 = pathLength(as4Path);
  if (n4 > n2) return [...asPath];
  let keep = n2 - n4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep <= 0) break;
    if (s.type === AS_SEQUENCE && s.asns.length > keep) {
      out.push({ type: s.type, asns: s.asns.slice(0, keep) });
      keep = 0;
    } else {
      out.push(s);
      keep -= s.type === AS_SET ? 1 : s.type === AS_SEQUENCE ? s.asns.length : 0;
    }
  }
  return [...out, ...as4Path];
}
