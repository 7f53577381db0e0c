// NOTIFICATION (RFC 4271 §4.5) including the Shutdown Communication of RFC 8203/RFC 9003
// (Cease / Administrative Shutdown or Reset: 1 length octet + UTF-8, up to 255 octets).
import { u8 } from './bytes.js';
import { MessageType } from './constants.js';
import { bgpError, CeaseSubcode, ErrorCode, errorName, ok, type BgpResult } from './errors.js';
import { frame } from './header.js';

export interface NotificationMessage {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /** RFC 9003 shutdown communication when present and well formed. */
  readonly shutdownMessage?: string;
}

export function encodeNotification(
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const body = new Uint8Array(2 + data.length);
  body[0] = code;
  body[1] = subcode;
  body.set(data, 2);
  return frame(MessageType.NOTIFICATION, body);
}

function isShutdownSubcode(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.CEASE &&
    (subcode === CeaseSubcode.ADMIN_SHUTDOWN || subcode === CeaseSubcode.ADMIN_RESET)
  );
}

/** Cease with a shutdown communication; the text is truncated on a UTF-8 boundary to 255 octets. */
export function encodeShutdown(subcode: 2 | 4, message: string): Uint8Array {
  let text = new TextEncoder().encode(message);
  if (text.length > 255) {
    let cut = 255;
    while (cut > 0 && ((text[cut] ?? 0) & 0xc0) === 0x80) cut--;
    text = text.slice(0, cut);
  }
  const data = new Uint8Array(1 + text.length);
  data[0] = text.length;
  data.set(text, 1);
  return encodeNotification(ErrorCode.CEASE, subcode, data);
}

export function decodeNotification(body: Uint8Array): BgpResult<NotificationMessage> {
  if (body.length < 2) return bgpError(ErrorCode.MESSAGE_HEADER, 2, 'NOTIFICATION shorter than 2 bytes');
  const code = u8(body, 0);
  const subcode = u8(body, 1);
  const data = body.slice(2);
  if (isShutdownSubcode(code, subcode) && data.length >= 1) {
    const len = u8(data, 0);
    if (len + 1 <= data.length) {
      try {
        const shutdownMessage = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1, 1 + len));
        return ok({ code, subcode, data, shutdownMessage });
      } catch {
        // RFC 8203 §3: invalid UTF-8 is logged as binary, not an error.
      }
    }
  }
  return ok({ code, subcode, data });
}

export function describeNotification(n: NotificationMessage): string {
  const base = `${errorName(n.code, n.subcode)} (${n.code}/${n.subcode})`;
  return n.shutdownMessage !== undefined ? `${base}: "${n.shutdownMessage}"` : base;
}
