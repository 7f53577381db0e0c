// Shared HTTP transport for the service adapters (Cloudflare, Radware, F5, webhook): one attempt with a
// hard timeout through undici, and a retry wrapper with exponential backoff and full jitter that honours
// Retry-After (RFC 9110 §10.2.3, seconds or HTTP-date) on 429 (RFC 6585 §4) and 503. Auth failures
// (401/403) and other 4xx are final: retrying them only locks accounts and burns rate limits.
import { Agent, request, type Dispatcher } from 'undici';

export interface HttpRequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Serialised body (JSON text), exactly what goes on the wire and into the audit. */
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Per-attempt deadline covering connect, headers and body. */
  readonly timeoutMs: number;
  /** A Retry-After longer than this ends the retries (the engine retries later) instead of blocking. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  timeoutMs: 10_000,
  maxRetryAfterMs: 60_000,
};

export type FailureKind = 'auth' | 'rate-limited' | 'server' | 'client' | 'timeout' | 'network';

/** One attempt as the audit sees it. */
export interface AttemptRecord {
  readonly attempt: number;
  readonly status?: number;
  readonly failure?: FailureKind;
  readonly error?: string;
  /** Delay waited before the next attempt (absent on the last). */
  readonly waitedMs?: number;
}

export type HttpOutcome =
  | { readonly ok: true; readonly response: HttpResponse; readonly attempts: readonly AttemptRecord[] }
  | {
      readonly ok: false;
      readonly failure: FailureKind;
      readonly retryable: boolean;
      readonly error: string;
      readonly response?: HttpResponse;
      readonly attempts: readonly AttemptRecord[];
    };

export interface TransportOptions {
  readonly dispatcher?: Dispatcher;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** 0 ≤ r < 1, for jitter; injectable so tests are deterministic. */
  readonly random?: () => number;
}

export interface SendOptions extends TransportOptions {
  /** Called before each attempt (e.g. to re-sign with a fresh timestamp); its result is sent and audited. */
  readonly prepare?: (spec: HttpRequestSpec, attempt: number) => HttpRequestSpec;
  /** Receives the spec actually sent on the last attempt. */
  readonly onSent?: (spec: HttpRequestSpec) => void;
}

/** Maps an HTTP status to how we treat it; undefined = success. */
export function classifyStatus(status: number): { failure: FailureKind; retryable: boolean } | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 401 || status === 403) return { failure: 'auth', retryable: false };
  if (status === 429) return { failure: 'rate-limited', retryable: true };
  if (status === 408) return { failure: 'timeout', retryable: true };
  // 501 Not Implemented and 505 are permanent (RFC 9110 §15.6.2, §15.6.6).
  if (status >= 500 && status !== 501 && status !== 505) return { failure: 'server', retryable: true };
  return { failure: status >= 500 ? 'server' : 'client', retryable: false };
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; returns milliseconds from now, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  // HTTP-date (IMF-fixdate or the obsolete forms) always names a weekday/month and a time of day.
  if (!/[A-Za-z]{3}/.test(v) || !/\d{2}:\d{2}:\d{2}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^n)], at least 1 ms. */
export function backoffDelay(policy: RetryPolicy, retryIndex: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.max(1, Math.floor(random() * cap));
}

function headerMap(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** One attempt, no retry. Throws only for transport errors (timeout, refused, reset). */
export async function sendOnce(
  spec: HttpRequestSpec,
  timeoutMs: number,
  dispatcher?: Dispatcher,
): Promise<HttpResponse> {
  const res = await request(spec.url, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    signal: AbortSignal.timeout(timeoutMs),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(dispatcher ? { dispatcher } : {}),
  });
  const body = await res.body.text();
  return { status: res.statusCode, headers: headerMap(res.headers), body };
}

function transportFailure(err: unknown): { failure: FailureKind; error: string } {
  const e = err as { name?: string; code?: string; message?: string };
  const timeout =
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_BODY_TIMEOUT' ||
    e.code === 'UND_ERR_CONNECT_TIMEOUT';
  const text = `${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}`;
  return { failure: timeout ? 'timeout' : 'network', error: text };
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends with retries per the policy. Never throws: every failure comes back typed. */
export async function sendWithRetry(
  spec: HttpRequestSpec,
  policy: RetryPolicy,
  opts: SendOptions = {},
): Promise<HttpOutcome> {
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const attempts: AttemptRecord[] = [];
  const total = Math.max(1, policy.attempts);
  for (let i = 1; ; i++) {
    let response: HttpResponse | undefined;
    let failure: FailureKind;
    let retryable: boolean;
    let error: string;
    try {
      const sent = opts.prepare ? opts.prepare(spec, i) : spec;
      opts.onSent?.(sent);
      response = await sendOnce(sent, policy.timeoutMs, opts.dispatcher);
      const cls = classifyStatus(response.status);
      if (!cls) {
        attempts.push({ attempt: i, status: response.status });
        return { ok: true, response, attempts };
      }
      failure = cls.failure;
      retryable = cls.retryable;
      error = `HTTP ${response.status}`;
    } catch (err) {
      ({ failure, error } = transportFailure(err));
      retryable = true;
    }
    const last = i >= total || !retryable;
    let wait: number | undefined;
    if (!last) {
      wait = backoffDelay(policy, i - 1, random);
      if (response && (response.status === 429 || response.status === 503)) {
        const ra = parseRetryAfter(response.headers['retry-after'], now());
        if (ra !== undefined) {
          if (ra > policy.maxRetryAfterMs) {
            attempts.push({ attempt: i, status: response.status, failure, error });
            return {
              ok: false,
              failure,
              retryable: true,
              error: `${error}: Retry-After ${Math.round(ra / 1000)} s exceeds the ${policy.maxRetryAfterMs} ms budget`,
              response,
              attempts,
            };
          }
          wait = Math.max(ra, 1);
        }
      }
    }
    attempts.push({
      attempt: i,
      ...(response ? { status: response.status } : {}),
      failure,
      error,
      ...(wait !== undefined ? { waitedMs: wait } : {}),
    });
    if (last || wait === undefined) {
      return { ok: false, failure, retryable, error, ...(response ? { response } : {}), attempts };
    }
    await sleep(wait);
  }
}

/** Parses a JSON body, or undefined when it is not JSON. */
export function parseJsonBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    return undefined;
  }
}

/** Redacts secrets in headers before a request spec goes into the audit log. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const l = k.toLowerCase();
    out[k] =
      l === 'authorization' ||
      l === 'x-f5-auth-token' ||
      l === 'cookie' ||
      l === 'jsessionid' ||
      l.includes('key')
        ? '[redacted]'
        : v;
  }
  return out;
}

/** The audit form of a request: method, URL, redacted headers and the parsed JSON body. */
export function auditRequest(spec: HttpRequestSpec): Record<string, unknown> {
  let body: unknown = spec.body;
  if (spec.body !== undefined) {
    try {
      body = JSON.parse(spec.body) as unknown;
    } catch {
      body = spec.body;
    }
  }
  return {
    method: spec.method,
    url: spec.url,
    headers: redactHeaders(spec.headers),
    ...(spec.body !== undefined ? { body } : {}),
  };
}

/** Last-known health of a service adapter, updated from each outcome (no I/O of its own). */
export class HealthBook {
  private status: 'up' | 'degraded' | 'down' = 'degraded';
  private detail = 'not checked yet';
  private checkedAt = 0;
  constructor(private readonly now: () => number = Date.now) {}

  record(outcome: HttpOutcome, what: string): void {
    this.checkedAt = this.now();
    if (outcome.ok) {
      this.status = 'up';
      this.detail = `${what}: HTTP ${outcome.response.status}`;
    } else {
      // Auth failure and other final errors are "down": retrying will not help until an operator acts.
      this.status = outcome.retryable ? 'degraded' : 'down';
      this.detail = `${what}: ${outcome.failure}: ${outcome.error}`;
    }
  }

  set(status: 'up' | 'degraded' | 'down', detail: string): void {
    this.status = status;
    this.detail = detail;
    this.checkedAt = this.now();
  }

  get(): { status: 'up' | 'degraded' | 'down'; detail: string; checkedAt: number } {
    return { status: this.status, detail: this.detail, checkedAt: this.checkedAt };
  }
}

/**
 * Transport for an on-premises appliance API (F5, Radware): the caller's, or one with an agent of its
 * own that skips certificate checks when the config says the appliance has a self-signed certificate.
 * The adapter closes `ownAgent` when it closes.
 */
export function applianceTransport(
  transport: TransportOptions & { dispatcher?: Dispatcher },
  insecureTls: boolean,
): { transport: TransportOptions; ownAgent: Agent | undefined } {
  const ownAgent =
    !transport.dispatcher && insecureTls ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  return { transport: { ...transport, ...(ownAgent ? { dispatcher: ownAgent } : {}) }, ownAgent };
}
