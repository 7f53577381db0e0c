// HTTP delivery shared by the HTTP sinks (Splunk HEC, Elasticsearch, Sentinel, MISP): one attempt through
// the adapters' undici transport, its answer mapped to a queue Delivery. 429/503 honour Retry-After
// (RFC 9110 §10.2.3, RFC 6585 §4); 401/403 and other 4xx are final; 5xx, 408 and transport errors retry.
import {
  classifyStatus,
  parseRetryAfter,
  sendOnce,
  type HttpRequestSpec,
  type HttpResponse,
} from '../adapters/http-retry.js';
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import type { Delivery } from './queue.js';

export type { HttpRequestSpec, HttpResponse } from '../adapters/http-retry.js';

export type HttpAttempt =
  | { readonly ok: true; readonly response: HttpResponse }
  | { readonly ok: false; readonly delivery: Delivery<never>; readonly response?: HttpResponse };

/** Sends once; a non-2xx answer or a transport error comes back as the Delivery the queue acts on. */
export async function attemptHttp(
  spec: HttpRequestSpec,
  timeoutMs: number,
  what: string,
  dispatcher?: Dispatcher,
  now: () => number = Date.now,
): Promise<HttpAttempt> {
  let response: HttpResponse;
  try {
    response = await sendOnce(spec, timeoutMs, dispatcher);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return {
      ok: false,
      delivery: {
        kind: 'retry',
        error: `${what}: ${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}`,
      },
    };
  }
  const cls = classifyStatus(response.status);
  if (!cls) return { ok: true, response };
  const error = `${what}: HTTP ${response.status} ${response.body.slice(0, 200)}`.trim();
  if (!cls.retryable) return { ok: false, response, delivery: { kind: 'fail', error } };
  const ra =
    response.status === 429 || response.status === 503
      ? parseRetryAfter(response.headers['retry-after'], now())
      : undefined;
  return {
    ok: false,
    response,
    delivery: { kind: 'retry', error, ...(ra !== undefined ? { retryAfterMs: ra } : {}) },
  };
}

/** URL join that keeps the base path (https://host/prefix + /_bulk). */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** An undici dispatcher trusting a private CA (https endpoints with their own PKI), or undefined. */
export function dispatcherFor(caFile: string | undefined): Dispatcher | undefined {
  return caFile ? new Agent({ connect: { ca: readFileSync(caFile) } }) : undefined;
}
