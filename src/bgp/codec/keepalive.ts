// KEEPALIVE (RFC 4271 §4.4): a header with no body.
import { MessageType } from './constants.js';
import { frame } from './header.js';

export const KEEPALIVE: Uint8Array = frame(MessageType.KEEPALIVE, new Uint8Array(0));

export function encodeKeepalive(): Uint8Array {
  return KEEPALIVE.slice();
}
