// COMMUNITIES (RFC 1997): 32-bit values, "ASN:value" in text. Length 0 or not a multiple of 4 →
// treat-as-withdraw (RFC 7606 §7.8).
import { u32, Writer } from '../bytes.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';
import { COMMUNITY_BLACKHOLE, COMMUNITY_NO_ADVERTISE, COMMUNITY_NO_EXPORT } from '../constants.js';

const WELL_KNOWN: Readonly<Record<string, number>> = {
  'no-export': COMMUNITY_NO_EXPORT,
  'no-advertise': COMMUNITY_NO_ADVERTISE,
  blackhole: COMMUNITY_BLACKHOLE,
};

export function encodeCommunities(values: readonly number[]): Uint8Array {
  const w = new Writer(values.length * 4);
  for (const c of values) w.u32(c);
  return w.finish();
}

export function decodeCommunities(v: Uint8Array): BgpResult<number[]> {
  if (v.length === 0 || v.length % 4 !== 0) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `COMMUNITIES length ${v.length}`,
      'treat-as-withdraw',
    );
  }
  const out: number[] = [];
  for (let o = 0; o < v.length; o += 4) out.push(u32(v, o));
  return ok(out);
}

/** "65535:666" or a well-known name → 32-bit value; undefined if malformed. */
export function parseCommunity(text: string): number | undefined {
  const wk = WELL_KNOWN[text.toLowerCase()];
  if (wk !== undefined) return wk;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  if (hi > 0xffff || lo > 0xffff) return undefined;
  return ((hi << 16) | lo) >>> 0;
}

export function formatCommunity(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}
