// ROUTE-REFRESH (RFC 2918 §3) with the enhanced route refresh demarcation subtypes (RFC 7313 §3):
// 0 = normal request, 1 = Beginning of Route Refresh, 2 = End of Route Refresh.
import { u16, u8, Writer } from './bytes.js';
import { MessageType } from './constants.js';
import { bgpError, ErrorCode, RouteRefreshSubcode, ok, type BgpResult } from './errors.js';
import { frame } from './header.js';

export interface RouteRefreshMessage {
  readonly afi: number;
  readonly safi: number;
  readonly subtype: number;
}

export const RefreshSubtype = { REQUEST: 0, BORR: 1, EORR: 2 } as const;

export function encodeRouteRefresh(afi: number, safi: number, subtype = 0): Uint8Array {
  return frame(MessageType.ROUTE_REFRESH, new Writer(4).u16(afi).u8(subtype).u8(safi).finish());
}

export function decodeRouteRefresh(body: Uint8Array): BgpResult<RouteRefreshMessage> {
  if (body.length !== 4) {
    // RFC 7313 §5: a ROUTE-REFRESH of the wrong length is a ROUTE-REFRESH Message Error.
    return bgpError(
      ErrorCode.ROUTE_REFRESH,
      RouteRefreshSubcode.INVALID_LENGTH,
      `ROUTE-REFRESH body ${body.length} bytes, expected 4`,
      'session-reset',
      body.slice(),
    );
  }
  return ok({ afi: u16(body, 0), subtype: u8(body, 2), safi: u8(body, 3) });
}
