// Small HTTP client for CLI commands that talk to a running floodgate's API. An error answer becomes an
// ApiCallError carrying the catalogue code (src/domain/errors.ts) and, for an engine refusal, its reason.
import { type ErrorCode, isErrorCode } from '../domain/errors.js';

/** An error answer of the API, by its catalogue code; the message names the call, status and reason. */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** undefined when the answer carried no catalogue code (a proxy in between, an older server). */
    readonly code: ErrorCode | undefined,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export interface ApiClientOptions {
  readonly api: string;
  readonly token?: string;
}

export async function apiCall<T>(
  opts: ApiClientOptions,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(path, opts.api.endsWith('/') ? opts.api : opts.api + '/');
  let res;
  try {
    // undici is loaded by the commands that call an API, not by every start of the CLI (`floodgate run`)
    const { request } = await import('undici');
    res = await request(url, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
  } catch (err) {
    throw new Error(
      `cannot reach the floodgate API at ${opts.api}: ${(err as Error).message} (is floodgate running? --api sets the address)`,
      { cause: err },
    );
  }
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch (err) {
    throw new Error(`${method} ${url.pathname}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 200)}`, {
      cause: err,
    });
  }
  if (res.statusCode >= 400) {
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } }).error;
    throw new ApiCallError(
      `${method} ${url.pathname}: HTTP ${res.statusCode} ${e?.code ?? ''}: ${e?.message ?? text.slice(0, 200)}`,
      res.statusCode,
      isErrorCode(e?.code) ? e.code : undefined,
      e?.details,
    );
  }
  return json as T;
}

export function apiOptions(o: { api?: string; token?: string }): ApiClientOptions {
  return {
    api: o.api ?? process.env.FLOODGATE_API ?? 'http://127.0.0.1:8080',
    ...((o.token ?? process.env.FLOODGATE_API_TOKEN)
      ? { token: (o.token ?? process.env.FLOODGATE_API_TOKEN)! }
      : {}),
  };
}
