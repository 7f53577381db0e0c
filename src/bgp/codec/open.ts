// OPEN message (RFC 4271 §4.2) with the Capabilities optional parameter (RFC 5492) and the 4-octet AS
// rules of RFC 6793 §4.1 (AS_TRANS in My Autonomous System when the ASN needs 4 octets).
import { formatIpBytes, tryParseIp } from '../../net/index.js';
import { u16, u8, Writer } from './bytes.js';
import { decodeCapabilities, encodeCapability, type Capability } from './capabilities.js';
import { AS_TRANS, MessageType } from './constants.js';
import { bgpError, ErrorCode, OpenSubcode, ok, type BgpResult } from './errors.js';
import { frame } from './header.js';

export interface OpenMessage {
  readonly version: number;
  /** The 2-octet My Autonomous System field as sent (AS_TRANS for 4-octet ASNs). */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier in dotted-quad form. */
  readonly bgpId: string;
  readonly capabilities: readonly Capability[];
}

export interface OpenInput {
  readonly asn: number;
  readonly holdTime: number;
  readonly bgpId: string;
  readonly capabilities: readonly Capability[];
}

const PARAM_CAPABILITIES = 2;

export function encodeOpen(input: OpenInput): Uint8Array {
  const idBytes = tryParseIp(input.bgpId)?.bytes;
  if (!idBytes || idBytes.length !== 4)
    throw new Error(`BGP identifier must be an IPv4 address: ${input.bgpId}`);
  const w = new Writer(64);
  w.u8(4);
  w.u16(input.asn > 0xffff ? AS_TRANS : input.asn);
  w.u16(input.holdTime);
  w.bytes(idBytes);
  // One Capabilities parameter per capability: the most widely interoperable layout (RFC 5492 §4 allows both).
  const params = new Writer(64);
  for (const c of input.capabilities) {
    const cb = encodeCapability(c);
    if (cb.length > 255) throw new Error('capability too long for one optional parameter');
    params.u8(PARAM_CAPABILITIES).u8(cb.length).bytes(cb);
  }
  if (params.length > 255) throw new Error('optional parameters exceed 255 bytes');
  w.u8(params.length).bytes(params.finish());
  return frame(MessageType.OPEN, w.finish());
}

/** Decode an OPEN body (after the header). Validation that needs local config is in validateOpen. */
export function decodeOpen(body: Uint8Array): BgpResult<OpenMessage> {
  if (body.length < 10) {
    return bgpError(ErrorCode.MESSAGE_HEADER, 2, `OPEN body ${body.length} bytes, minimum 10`);
  }
  const version = u8(body, 0);
  if (version !== 4) {
    // RFC 4271 §6.2: data is the largest locally supported version, as 2 octets.
    return bgpError(
      ErrorCode.OPEN_MESSAGE,
      OpenSubcode.UNSUPPORTED_VERSION,
      `unsupported BGP version ${version}`,
      'session-reset',
      Uint8Array.of(0, 4),
    );
  }
  const myAs = u16(body, 1);
  const holdTime = u16(body, 3);
  const bgpId = formatIpBytes(body.subarray(5, 9));
  const optLen = u8(body, 9);
  if (10 + optLen !== body.length) {
    return bgpError(
      ErrorCode.OPEN_MESSAGE,
      0,
      `optional parameters length ${optLen} does not match OPEN length`,
    );
  }
  const caps: Capability[] = [];
  let o = 10;
  while (o < body.length) {
    if (o + 2 > body.length) return bgpError(ErrorCode.OPEN_MESSAGE, 0, 'truncated optional parameter');
    const type = u8(body, o);
    const len = u8(body, o + 1);
    if (o + 2 + len > body.length)
      return bgpError(ErrorCode.OPEN_MESSAGE, 0, 'optional parameter runs past OPEN');
    if (type !== PARAM_CAPABILITIES) {
      return bgpError(
        ErrorCode.OPEN_MESSAGE,
        OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER,
        `unsupported optional parameter ${type}`,
      );
    }
    const decoded = decodeCapabilities(body.subarray(o + 2, o + 2 + len));
    if (!decoded.ok) return decoded;
    caps.push(...decoded.value);
    o += 2 + len;
  }
  return ok({ version, myAs, holdTime, bgpId, capabilities: caps });
}

/** The ASN the peer claims: the 4-octet AS capability wins over the 2-octet field (RFC 6793 §4.1). */
export function peerAsn(open: OpenMessage): number {
  for (const c of open.capabilities) if (c.kind === 'four-octet-as') return c.asn;
  return open.myAs;
}

/** RFC 4271 §6.2 checks of a received OPEN against what we expect of this peer. */
export function validateOpen(
  open: OpenMessage,
  expect: { readonly remoteAs: number; readonly localBgpId: string },
): BgpResult<OpenMessage> {
  const asn = peerAsn(open);
  if (asn !== expect.remoteAs) {
    return bgpError(
      ErrorCode.OPEN_MESSAGE,
      OpenSubcode.BAD_PEER_AS,
      `peer AS ${asn}, expected ${expect.remoteAs}`,
      'session-reset',
      Uint8Array.of((open.myAs >>> 8) & 0xff, open.myAs & 0xff),
    );
  }
  if (open.holdTime === 1 || open.holdTime === 2) {
    return bgpError(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${open.holdTime}`);
  }
  if (open.bgpId === '0.0.0.0' || open.bgpId === '255.255.255.255') {
    return bgpError(ErrorCode.OPEN_MESSAGE, OpenSubcode.BAD_BGP_IDENTIFIER, `BGP identifier ${open.bgpId}`);
  }
  return ok(open);
}
