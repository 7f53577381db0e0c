// MULTI_EXIT_DISC (RFC 4271 §5.1.4) and LOCAL_PREF (§5.1.5): one 32-bit value. Wrong length →
// treat-as-withdraw (RFC 7606 §7.4, §7.5); LOCAL_PREF from an eBGP peer is discarded (§7.5).
import { u32, Writer } from '../bytes.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';

export function encodeU32Attr(v: number): Uint8Array {
  return new Writer(4).u32(v).finish();
}

export function decodeU32Attr(name: string, v: Uint8Array): BgpResult<number> {
  if (v.length !== 4) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `${name} length ${v.length}`,
      'treat-as-withdraw',
    );
  }
  return ok(u32(v, 0));
}
