// Small HTTP client for CLI commands that talk to a running floodgate's API.
import { request } from 'undici';

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
    );
  }
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new Error(`${method} ${url.pathname}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 200)}`);
  }
  if (res.statusCode >= 400) {
    const e = (json as { error?: { code?: string; message?: string } }).error;
    throw new Error(
      `${method} ${url.pathname}: HTTP ${res.statusCode} ${e?.code ?? ''}: ${e?.message ?? text.slice(0, 200)}`,
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
