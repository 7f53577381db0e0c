// Shared shell for the HTTP channels: a pure renderer (Message -> request) plus the retrying transport
// the service adapters use (src/adapters/http-retry.ts: backoff with full jitter, Retry-After, 4xx final).
import {
  sendWithRetry,
  type HttpRequestSpec,
  type HttpResponse,
  type RetryPolicy,
  type SendOptions,
  type TransportOptions,
} from '../../adapters/http-retry.js';
import type { Channel, ChannelType, DeliveryResult, Message } from '../types.js';

export type Rendered = HttpRequestSpec | { readonly skip: string } | { readonly error: string };

export interface HttpChannelSpec {
  readonly name: string;
  readonly type: ChannelType;
  readonly retry: RetryPolicy;
  readonly render: (m: Message) => Rendered;
  /** A 2xx that still means failure (a body saying so). */
  readonly check?: (res: HttpResponse) => string | undefined;
  /** Per-attempt changes (e.g. signing with the attempt's timestamp). */
  readonly prepare?: SendOptions['prepare'];
}

export function httpChannel(spec: HttpChannelSpec, transport: TransportOptions = {}): Channel {
  return {
    name: spec.name,
    type: spec.type,
    async deliver(message: Message): Promise<DeliveryResult> {
      const req = spec.render(message);
      if ('skip' in req) return { ok: true, attempts: 0, detail: `skipped: ${req.skip}` };
      if ('error' in req) return { ok: false, attempts: 0, error: req.error, retryable: false };
      const out = await sendWithRetry(req, spec.retry, {
        ...transport,
        ...(spec.prepare ? { prepare: spec.prepare } : {}),
      });
      const attempts = out.attempts.length;
      if (!out.ok) {
        const body = out.response?.body ? `: ${out.response.body.slice(0, 300)}` : '';
        return { ok: false, attempts, error: `${out.error}${body}`, retryable: out.retryable };
      }
      const bad = spec.check?.(out.response);
      if (bad) return { ok: false, attempts, error: bad, retryable: false };
      return { ok: true, attempts, detail: `HTTP ${out.response.status}` };
    },
    close: async () => undefined,
  };
}

export const json = (url: string, body: unknown, headers: Record<string, string> = {}): HttpRequestSpec => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json', 'user-agent': 'floodgate-notify/1', ...headers },
  body: JSON.stringify(body),
});
