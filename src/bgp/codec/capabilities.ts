// OPEN capabilities (RFC 5492) that this speaker knows: multiprotocol (RFC 4760 §8), route refresh
// (RFC 2918), extended message (RFC 8654), graceful restart (RFC 4724 §3), 4-octet AS (RFC 6793 §3),
// enhanced route refresh (RFC 7313). Others are kept raw so nothing a peer says is lost.
import { u16, u32, u8, Writer } from './bytes.js';
import { bgpError, ErrorCode, OpenSubcode, ok, type BgpResult } from './errors.js';
import type { AfiSafi } from './constants.js';

export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_MESSAGE: 6,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ENHANCED_ROUTE_REFRESH: 70,
} as const;

export interface GracefulRestartFamily extends AfiSafi {
  /** Forwarding state preserved for this family. */
  readonly forwarding: boolean;
}

export type Capability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'route-refresh' }
  | { readonly kind: 'extended-message' }
  | {
      readonly kind: 'graceful-restart';
      /** R bit: the sender has restarted. */
      readonly restarting: boolean;
      /** N bit (RFC 8538): notification support. */
      readonly notification: boolean;
      readonly restartTime: number;
      readonly families: readonly GracefulRestartFamily[];
    }
  | { readonly kind: 'four-octet-as'; readonly asn: number }
  | { readonly kind: 'enhanced-route-refresh' }
  | { readonly kind: 'unknown'; readonly code: number; readonly value: Uint8Array };

function capBytes(code: number, value: Uint8Array): Uint8Array {
  const w = new Writer(value.length + 2);
  w.u8(code).u8(value.length).bytes(value);
  return w.finish();
}

export function encodeCapability(c: Capability): Uint8Array {
  switch (c.kind) {
    case 'multiprotocol':
      return capBytes(CapabilityCode.MULTIPROTOCOL, new Writer(4).u16(c.afi).u8(0).u8(c.safi).finish());
    case 'route-refresh':
      return capBytes(CapabilityCode.ROUTE_REFRESH, new Uint8Array(0));
    case 'extended-message':
      return capBytes(CapabilityCode.EXTENDED_MESSAGE, new Uint8Array(0));
    case 'graceful-restart': {
      const w = new Writer();
      const flags = (c.restarting ? 0x8 : 0) | (c.notification ? 0x4 : 0);
      w.u16((flags << 12) | (c.restartTime & 0x0fff));
      for (const f of c.families)
        w.u16(f.afi)
          .u8(f.safi)
          .u8(f.forwarding ? 0x80 : 0);
      return capBytes(CapabilityCode.GRACEFUL_RESTART, w.finish());
    }
    case 'four-octet-as':
      return capBytes(CapabilityCode.FOUR_OCTET_AS, new Writer(4).u32(c.asn).finish());
    case 'enhanced-route-refresh':
      return capBytes(CapabilityCode.ENHANCED_ROUTE_REFRESH, new Uint8Array(0));
    case 'unknown':
      return capBytes(c.code, c.value);
  }
}

function badCap(message: string): ReturnType<typeof bgpError> {
  // RFC 5492 does not name a subcode for a malformed capability; "Unsupported Capability" is what peers send.
  return bgpError(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNSUPPORTED_CAPABILITY, message);
}

/** Decode the capabilities inside one Capabilities optional parameter (type 2). */
export function decodeCapabilities(buf: Uint8Array): BgpResult<Capability[]> {
  const caps: Capability[] = [];
  let o = 0;
  while (o < buf.length) {
    if (o + 2 > buf.length) return badCap('truncated capability header');
    const code = u8(buf, o);
    const len = u8(buf, o + 1);
    const v = buf.subarray(o + 2, o + 2 + len);
    if (v.length !== len) return badCap(`capability ${code} length ${len} runs past the parameter`);
    o += 2 + len;
    switch (code) {
      case CapabilityCode.MULTIPROTOCOL:
        if (len !== 4) return badCap(`multiprotocol capability length ${len}, expected 4`);
        caps.push({ kind: 'multiprotocol', afi: u16(v, 0), safi: u8(v, 3) });
        break;
      case CapabilityCode.ROUTE_REFRESH:
        if (len !== 0) return badCap(`route refresh capability length ${len}, expected 0`);
        caps.push({ kind: 'route-refresh' });
        break;
      case CapabilityCode.EXTENDED_MESSAGE:
        if (len !== 0) return badCap(`extended message capability length ${len}, expected 0`);
        caps.push({ kind: 'extended-message' });
        break;
      case CapabilityCode.ENHANCED_ROUTE_REFRESH:
        if (len !== 0) return badCap(`enhanced route refresh capability length ${len}, expected 0`);
        caps.push({ kind: 'enhanced-route-refresh' });
        break;
      case CapabilityCode.FOUR_OCTET_AS:
        if (len !== 4) return badCap(`4-octet AS capability length ${len}, expected 4`);
        caps.push({ kind: 'four-octet-as', asn: u32(v, 0) });
        break;
      case CapabilityCode.GRACEFUL_RESTART: {
        if (len < 2 || (len - 2) % 4 !== 0) return badCap(`graceful restart capability length ${len}`);
        const head = u16(v, 0);
        const families: GracefulRestartFamily[] = [];
        for (let i = 2; i < len; i += 4) {
          families.push({ afi: u16(v, i), safi: u8(v, i + 2), forwarding: (u8(v, i + 3) & 0x80) !== 0 });
        }
        caps.push({
          kind: 'graceful-restart',
          restarting: (head & 0x8000) !== 0,
          notification: (head & 0x4000) !== 0,
          restartTime: head & 0x0fff,
          families,
        });
        break;
      }
      default:
        caps.push({ kind: 'unknown', code, value: v.slice() });
    }
  }
  return ok(caps);
}
