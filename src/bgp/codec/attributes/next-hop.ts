// NEXT_HOP (RFC 4271 §5.1.3): an IPv4 address. Wrong length → treat-as-withdraw (RFC 7606 §7.3).
import { formatIpBytes, tryParseIp } from '../../../net/index.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';

export function encodeNextHop(addr: string): Uint8Array {
  const b = tryParseIp(addr)?.bytes;
  if (!b || b.length !== 4) throw new Error(`NEXT_HOP must be IPv4: ${addr}`);
  return b;
}

export function decodeNextHop(v: Uint8Array): BgpResult<string> {
  if (v.length !== 4) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `NEXT_HOP length ${v.length}`,
      'treat-as-withdraw',
    );
  }
  return ok(formatIpBytes(v));
}
