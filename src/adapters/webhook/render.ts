// Pure renderer for the generic webhook: Rule (+ attack context) → the documented JSON payload
// (docs/webhook.md, schema version 1) and its signature header. Signature: HMAC-SHA256 over
// "<unix seconds>.<raw body>" with the shared secret, sent as "t=<unix seconds>,v1=<hex>" (Stripe style),
// so a receiver can reject replays by timestamp and tampering by MAC.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AttackEvent } from '../../domain/attack.js';
import type { Rule } from '../../domain/rule.js';

export const WEBHOOK_SCHEMA_VERSION = 1;
export type WebhookEvent = 'announce' | 'withdraw' | 'test';

export const SIGNATURE_HEADER = 'x-floodgate-signature';

export interface WebhookPayload {
  readonly version: typeof WEBHOOK_SCHEMA_VERSION;
  readonly event: WebhookEvent;
  /** Delivery id: the same across retries of one delivery, so receivers can de-duplicate. */
  readonly id: string;
  /** ISO 8601 time the event was produced. */
  readonly sentAt: string;
  readonly adapter: string;
  readonly rule: Rule | null;
  /** Attack that caused the rule, when known (full detection context). */
  readonly attack: AttackEvent | null;
}

export interface WebhookRenderInput {
  readonly event: WebhookEvent;
  readonly deliveryId: string;
  readonly at: number;
  readonly adapter: string;
  readonly attack?: AttackEvent;
  readonly headers?: Readonly<Record<string, string>>;
  readonly authToken?: string;
}

export interface WebhookRendering {
  readonly payload: WebhookPayload;
  /** Exact body bytes (as text) that are signed and sent. */
  readonly body: string;
  /** Headers without the signature (added at send time with the send timestamp). */
  readonly headers: Record<string, string>;
}

/** Headers a user config may not override: they carry the protocol. */
const RESERVED = new Set([
  'content-type',
  'x-floodgate-event',
  'x-floodgate-delivery',
  SIGNATURE_HEADER,
  'x-floodgate-timestamp',
]);

export function render(rule: Rule | null, input: WebhookRenderInput): WebhookRendering {
  const payload: WebhookPayload = {
    version: WEBHOOK_SCHEMA_VERSION,
    event: input.event,
    id: input.deliveryId,
    sentAt: new Date(input.at).toISOString(),
    adapter: input.adapter,
    rule,
    attack: input.attack ?? null,
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) {
    if (!RESERVED.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
  }
  if (input.authToken) headers['authorization'] = `Bearer ${input.authToken}`;
  headers['content-type'] = 'application/json';
  headers['user-agent'] ??= 'floodgate-webhook/1';
  headers['x-floodgate-event'] = input.event;
  headers['x-floodgate-delivery'] = input.deliveryId;
  return { payload, body: JSON.stringify(payload), headers };
}

/** "t=<ts>,v1=<hex hmac-sha256(secret, ts + '.' + body)>". */
export function sign(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export type VerifyResult =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'stale' };

/** Receiver-side check (also used by our tests): constant-time compare, tolerance in seconds. */
export function verify(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): VerifyResult {
  if (!header) return { ok: false, reason: 'malformed' };
  const parts = new Map<string, string[]>();
  for (const kv of header.split(',')) {
    const i = kv.indexOf('=');
    if (i <= 0) return { ok: false, reason: 'malformed' };
    const k = kv.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), kv.slice(i + 1).trim()]);
  }
  const t = parts.get('t')?.[0];
  const sigs = parts.get('v1') ?? [];
  if (!t || !/^[0-9]+$/.test(t) || sigs.length === 0) return { ok: false, reason: 'malformed' };
  const ts = Number(t);
  const expected = Buffer.from(createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'), 'utf8');
  const match = sigs.some((s) => {
    const got = Buffer.from(s, 'utf8');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!match) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: ts };
}
