// LARGE_COMMUNITY (RFC 8092): 12-octet global:local1:local2. Length 0 or not a multiple of 12 →
// treat-as-withdraw (RFC 8092 §6).
import { u32, Writer } from '../bytes.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';

export interface LargeCommunity {
  readonly global: number;
  readonly local1: number;
  readonly local2: number;
}

export function encodeLargeCommunities(values: readonly LargeCommunity[]): Uint8Array {
  const w = new Writer(values.length * 12);
  for (const c of values) w.u32(c.global).u32(c.local1).u32(c.local2);
  return w.finish();
}

export function decodeLargeCommunities(v: Uint8Array): BgpResult<LargeCommunity[]> {
  if (v.length === 0 || v.length % 12 !== 0) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `LARGE_COMMUNITY length ${v.length}`,
      'treat-as-withdraw',
    );
  }
  const out: LargeCommunity[] = [];
  for (let o = 0; o < v.length; o += 12)
    out.push({ global: u32(v, o), local1: u32(v, o + 4), local2: u32(v, o + 8) });
  return ok(out);
}

export function parseLargeCommunity(text: string): LargeCommunity | undefined {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text);
  if (!m) return undefined;
  const [g, a, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (g > 0xffffffff || a > 0xffffffff || b > 0xffffffff) return undefined;
  return { global: g, local1: a, local2: b };
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.global}:${c.local1}:${c.local2}`;
}
