// Generic signed webhook for notices: the same protocol as the webhook adapter (docs/webhook.md) —
// X-Floodgate-Event/-Delivery/-Timestamp headers and the "t=<unix>,v1=<HMAC-SHA256>" signature, re-signed
// on every attempt — with a notification body (schema in docs/notifications.md).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { TransportOptions } from '../../adapters/http-retry.js';
import { SIGNATURE_HEADER, sign } from '../../adapters/webhook/render.js';
import type { webhookChannelSchema } from '../config.js';
import type { Channel, Message } from '../types.js';
import { httpChannel, type Rendered } from './http.js';

export type WebhookChannelConfig = z.infer<typeof webhookChannelSchema>;

export const NOTIFICATION_SCHEMA_VERSION = 1;

const RESERVED = new Set([
  'content-type',
  'x-floodgate-event',
  'x-floodgate-delivery',
  'x-floodgate-timestamp',
  SIGNATURE_HEADER,
]);

export function renderWebhook(
  m: Message,
  cfg: WebhookChannelConfig,
  deliveryId: string,
  at: number,
): Rendered {
  if (!cfg.url) return { error: 'webhook: no url configured' };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.headers))
    if (!RESERVED.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
  if (cfg.authToken) headers.authorization = `Bearer ${cfg.authToken}`;
  headers['content-type'] = 'application/json';
  headers['user-agent'] ??= 'floodgate-notify/1';
  headers['x-floodgate-event'] = 'notification';
  headers['x-floodgate-delivery'] = deliveryId;
  const body = {
    version: NOTIFICATION_SCHEMA_VERSION,
    event: 'notification',
    id: deliveryId,
    sentAt: new Date(at).toISOString(),
    channel: cfg.name,
    type: m.type,
    title: m.title,
    text: m.text,
    ...(m.type === 'notice'
      ? { notice: m.notice, incident: m.incident ?? null }
      : { count: m.count, severity: m.severity, from: m.from, to: m.to, notices: m.notices }),
  };
  return { method: 'POST', url: cfg.url, headers, body: JSON.stringify(body) };
}

export function webhookChannel(
  cfg: WebhookChannelConfig,
  transport: TransportOptions & { newId?: () => string } = {},
): Channel {
  const now = transport.now ?? Date.now;
  return httpChannel(
    {
      name: cfg.name,
      type: 'webhook',
      retry: cfg.retry,
      render: (m) => renderWebhook(m, cfg, (transport.newId ?? randomUUID)(), now()),
      // a retry minutes later must not carry a timestamp the receiver deems stale
      prepare: (s) => {
        const ts = Math.floor(now() / 1000);
        const headers: Record<string, string> = { ...s.headers, 'x-floodgate-timestamp': String(ts) };
        if (cfg.secret) headers[SIGNATURE_HEADER] = sign(cfg.secret, ts, s.body ?? '');
        return { ...s, headers };
      },
    },
    transport,
  );
}
