// BGP message header (RFC 4271 §4.1): 16-byte all-ones marker, 2-byte length, 1-byte type.
// Also the stream framer that cuts complete messages out of TCP bytes.
import { u16 } from './bytes.js';
import { HEADER_LENGTH, MARKER_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from './constants.js';
import { bgpError, ErrorCode, HeaderSubcode, ok, type BgpResult } from './errors.js';

export interface MessageHeader {
  readonly length: number;
  readonly type: number;
}

/** Minimum length per type (RFC 4271 §6.1): a shorter message is a Bad Message Length. */
const MIN_LENGTH: Readonly<Record<number, number>> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};

export function encodeHeader(type: number, bodyLength: number): Uint8Array {
  const h = new Uint8Array(HEADER_LENGTH);
  h.fill(0xff, 0, MARKER_LENGTH);
  const len = bodyLength + HEADER_LENGTH;
  h[16] = (len >>> 8) & 0xff;
  h[17] = len & 0xff;
  h[18] = type;
  return h;
}

/** Wrap a message body with its header. */
export function frame(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out.set(encodeHeader(type, body.length), 0);
  out.set(body, HEADER_LENGTH);
  return out;
}

/** Validate the header at the start of buf (needs ≥ 19 bytes). */
export function decodeHeader(buf: Uint8Array, maxLength = MAX_MESSAGE_LENGTH): BgpResult<MessageHeader> {
  if (buf.length < HEADER_LENGTH) {
    return bgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_LENGTH,
      `header needs 19 bytes, got ${buf.length}`,
    );
  }
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[i] !== 0xff) {
      return bgpError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.NOT_SYNCHRONIZED, 'marker is not all ones');
    }
  }
  const length = u16(buf, 16);
  const type = buf[18] ?? 0;
  const lenData = buf.slice(16, 18);
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    return bgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_TYPE,
      `unknown message type ${type}`,
      'session-reset',
      Uint8Array.of(type),
    );
  }
  // KEEPALIVE is exactly 19 bytes (RFC 4271 §4.4); the others have their minimum and the negotiated maximum.
  const max =
    type === MessageType.KEEPALIVE
      ? HEADER_LENGTH
      : type === MessageType.OPEN
        ? MAX_MESSAGE_LENGTH
        : maxLength;
  if (length < min || length > max) {
    return bgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_LENGTH,
      `bad length ${length} for message type ${type} (allowed ${min}..${max})`,
      'session-reset',
      lenData,
    );
  }
  return ok({ length, type });
}

export interface FramedMessage {
  readonly type: number;
  /** Whole message including header. */
  readonly bytes: Uint8Array;
  /** Body after the header. */
  readonly body: Uint8Array;
}

/**
 * Cut complete messages from a receive buffer. Returns the messages, the unconsumed tail and, when the
 * header is invalid, the error (the stream cannot be resynchronised after that: RFC 4271 §6.1).
 */
export function splitMessages(
  buf: Uint8Array,
  maxLength = MAX_MESSAGE_LENGTH,
): { messages: FramedMessage[]; rest: Uint8Array; error?: ReturnType<typeof bgpError> } {
  const messages: FramedMessage[] = [];
  let off = 0;
  while (buf.length - off >= HEADER_LENGTH) {
    const h = decodeHeader(buf.subarray(off, off + HEADER_LENGTH), maxLength);
    if (!h.ok) return { messages, rest: buf.subarray(off), error: h };
    if (buf.length - off < h.value.length) break;
    const bytes = buf.subarray(off, off + h.value.length);
    messages.push({ type: h.value.type, bytes, body: bytes.subarray(HEADER_LENGTH) });
    off += h.value.length;
  }
  return { messages, rest: buf.subarray(off) };
}
