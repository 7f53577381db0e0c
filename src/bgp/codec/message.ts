// Decoding of one framed BGP message into a typed union (RFC 4271 §4).
import { MessageType } from './constants.js';
import type { BgpError } from './errors.js';
import type { FramedMessage } from './header.js';
import { decodeNotification, type NotificationMessage } from './notification.js';
import { decodeOpen, type OpenMessage } from './open.js';
import { decodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdate, type DecodedUpdate } from './update.js';
import type { CodecContext } from './attributes/index.js';

export type BgpMessage =
  | { readonly type: 'open'; readonly open: OpenMessage }
  | { readonly type: 'update'; readonly update: DecodedUpdate }
  | { readonly type: 'notification'; readonly notification: NotificationMessage }
  | { readonly type: 'keepalive' }
  | { readonly type: 'route-refresh'; readonly refresh: RouteRefreshMessage };

export type MessageKind = BgpMessage['type'];

export function decodeMessage(
  m: FramedMessage,
  ctx: CodecContext,
): { ok: true; value: BgpMessage } | BgpError {
  switch (m.type) {
    case MessageType.OPEN: {
      const r = decodeOpen(m.body);
      return r.ok ? { ok: true, value: { type: 'open', open: r.value } } : r;
    }
    case MessageType.UPDATE: {
      const r = decodeUpdate(m.body, ctx);
      return r.ok ? { ok: true, value: { type: 'update', update: r.value } } : r;
    }
    case MessageType.NOTIFICATION: {
      const r = decodeNotification(m.body);
      return r.ok ? { ok: true, value: { type: 'notification', notification: r.value } } : r;
    }
    case MessageType.ROUTE_REFRESH: {
      const r = decodeRouteRefresh(m.body);
      return r.ok ? { ok: true, value: { type: 'route-refresh', refresh: r.value } } : r;
    }
    default:
      return { ok: true, value: { type: 'keepalive' } };
  }
}
