// ATOMIC_AGGREGATE (RFC 4271 §5.1.6) and AGGREGATOR / AS4_AGGREGATOR (§5.1.7, RFC 6793 §3). Only decoded
// (we never aggregate). Malformed → attribute-discard (RFC 7606 §7.6, §7.7).
import { formatIpBytes } from '../../../net/index.js';
import { u16, u32 } from '../bytes.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';

export interface Aggregator {
  readonly asn: number;
  readonly address: string;
}

export function decodeAtomicAggregate(v: Uint8Array): BgpResult<true> {
  if (v.length !== 0) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `ATOMIC_AGGREGATE length ${v.length}`,
      'attribute-discard',
    );
  }
  return ok(true);
}

export function decodeAggregator(v: Uint8Array, fourOctet: boolean): BgpResult<Aggregator> {
  const want = fourOctet ? 8 : 6;
  if (v.length !== want) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `AGGREGATOR length ${v.length}, expected ${want}`,
      'attribute-discard',
    );
  }
  const asn = fourOctet ? u32(v, 0) : u16(v, 0);
  return ok({ asn, address: formatIpBytes(v.subarray(want - 4)) });
}
