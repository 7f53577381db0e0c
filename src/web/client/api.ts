// HTTP access to the floodgate API with the session's bearer token, and login: whoami names the
// token's role and tenant; a daemon without whoami (404) runs the single-token mode, where an
// accepted token is the owner.
import { signal } from '@preact/signals';

export type Role = 'owner' | 'admin' | 'operator' | 'readonly';

export interface Session {
  readonly token: string;
  readonly name: string;
  readonly role: Role;
  readonly tenant: string | null;
  /** True when the daemon has no token accounts (GET /api/v1/auth/whoami answered 404). */
  readonly legacy: boolean;
}

const KEY = 'floodgate.token';

export const session = signal<Session | undefined>(undefined);

/** An API error answer, from the one error catalogue: {"error":{"code","message"}}. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function authHeaders(token = session.value?.token): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function failure(res: Response): Promise<ApiFailure> {
  let code = `http_${res.status}`;
  let message = res.statusText;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    /* not JSON */
  }
  return new ApiFailure(res.status, code, message);
}

export async function api<T>(path: string, init: RequestInit = {}, token?: string): Promise<T> {
  const headers: Record<string, string> = {
    ...authHeaders(token),
    ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  const res = await fetch(path, { ...init, headers: { ...headers, ...(init.headers as object) } });
  if (!res.ok) {
    const f = await failure(res);
    if (res.status === 401 && session.value) logout();
    throw f;
  }
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>(path);
export const post = <T>(path: string, body: unknown) =>
  api<T>(path, { method: 'POST', body: JSON.stringify(body) });
export const del = <T>(path: string, body?: unknown) =>
  api<T>(path, { method: 'DELETE', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

/** Checks a token and opens the session; throws ApiFailure when the daemon refuses it. */
export async function login(token: string): Promise<Session> {
  let s: Session;
  try {
    const who = await api<{ name: string; role: Role; tenant: string | null }>(
      '/api/v1/auth/whoami',
      {},
      token,
    );
    s = { token, name: who.name, role: who.role, tenant: who.tenant, legacy: false };
  } catch (err) {
    if (!(err instanceof ApiFailure) || err.status !== 404) throw err;
    // Single-token daemon: reads may be open on loopback, so prove the token on a write the API
    // refuses before doing anything (an empty rule body): 401 = wrong token, 400 = accepted.
    const res = await fetch('/api/v1/rules', {
      method: 'POST',
      headers: { ...authHeaders(token), 'content-type': 'application/json' },
      body: '{}',
    });
    if (res.status === 401 || res.status === 403) throw await failure(res);
    s = { token, name: 'api token', role: 'owner', tenant: null, legacy: true };
  }
  sessionStorage.setItem(KEY, token);
  session.value = s;
  return s;
}

export function logout(): void {
  sessionStorage.removeItem(KEY);
  session.value = undefined;
}

/** Reopens the session kept in this tab's sessionStorage, if the token still works. */
export async function resume(): Promise<void> {
  const token = sessionStorage.getItem(KEY);
  if (!token) return;
  try {
    await login(token);
  } catch {
    logout();
  }
}

/**
 * What a session may do, after the API's permission table (src/domain/access.ts of the token API):
 * rules:write for owner, admin and operator; policies:read for owner and admin; system views
 * (exporters, BGP sessions, adapters) for tokens not bound to a tenant. What it cannot do is not offered.
 */
export const can = {
  writeRules: (s: Session | undefined) =>
    s?.role === 'owner' || s?.role === 'admin' || s?.role === 'operator',
  readPolicies: (s: Session | undefined) => s?.role === 'owner' || s?.role === 'admin',
  readSystem: (s: Session | undefined) => s !== undefined && s.tenant === null,
};
