// Authentication and authorisation for every route. A bearer secret is hashed (SHA-256) and looked up
// among the stored tokens; api.token (from the config) is an owner token named "config". Each route
// names one permission (config.permission, default "read"); the table in src/domain/access.ts says
// which roles hold it and whether a tenant-bound token may use it. Tenant scoping of the data itself
// is done by the routes with scopeTenant / visibleTo.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Permission, type Principal, allows } from '../domain/access.js';
import type { TokenRepository } from '../domain/store-port.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    authFailure: string | null;
  }
  interface FastifyContextConfig {
    /** What the route needs; "public" needs nothing. Default "read". */
    permission?: Permission | 'public';
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new secret: 256 bits of randomness, printable, recognisable by its prefix. */
export function newSecret(): string {
  return `fgt_${randomBytes(32).toString('base64url')}`;
}

export interface AuthOptions {
  readonly tokens: TokenRepository;
  /** api.token: an owner token named "config". */
  /** api.token; a function is read on every request, so a reload that changes it applies at once. */
  readonly configToken?: string | (() => string | undefined);
  /** api.anonymousRead: callers without a token may read (loopback listeners only). */
  readonly anonymousRead?: boolean;
  /** Enrolled host agents: their keys authenticate as agents (permission agents:report only). */
  readonly agents?: { findActiveByKeyHash(hash: string): Promise<{ id: string; name: string } | undefined> };
}

const CONFIG_PRINCIPAL: Principal = { name: 'config', role: 'owner', tenant: null, tokenId: 'config' };
export const ANONYMOUS: Principal = {
  name: 'anonymous',
  role: 'readonly',
  tenant: null,
  tokenId: 'anonymous',
};

/** The audit actor of a request: the token's name. */
export function actorOf(req: FastifyRequest): string {
  return `api:${(req.principal ?? ANONYMOUS).name}`;
}

/** The caller (routes run only after the access check, so one is always set). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError('unauthorized', 'no valid bearer token');
  return req.principal;
}

/**
 * The tenant a query runs for: a tenant-bound token always gets its own (and asking for another is
 * refused); an unbound one gets what it asked for (undefined = every tenant).
 */
export function scopeTenant(p: Principal, requested: string | undefined): string | undefined {
  if (p.tenant === null) return requested;
  if (requested !== undefined && requested !== p.tenant) {
    throw new ApiError(
      'forbidden',
      `this token belongs to tenant "${p.tenant}"; it cannot see "${requested}"`,
    );
  }
  return p.tenant;
}

/** Whether a record of this tenant may be shown to (or changed by) the caller. */
export function visibleTo(p: Principal, tenant: string | undefined): boolean {
  return p.tenant === null || tenant === p.tenant;
}

async function resolve(
  req: FastifyRequest,
  opts: AuthOptions,
  configHash: Buffer | undefined,
): Promise<void> {
  const header = req.headers.authorization;
  if (header === undefined) return;
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
  if (!m) {
    req.authFailure = 'malformed Authorization header (expected "Bearer <secret>")';
    return;
  }
  const hash = hashSecret(m[1]!);
  if (configHash && timingSafeEqual(Buffer.from(hash, 'hex'), configHash)) {
    req.principal = CONFIG_PRINCIPAL;
    return;
  }
  const token = await opts.tokens.findActiveBySecretHash(hash);
  if (!token && opts.agents) {
    const agent = await opts.agents.findActiveByKeyHash(hash);
    if (agent) {
      req.principal = {
        name: `agent:${agent.name}`,
        role: 'readonly',
        tenant: null,
        tokenId: `agent:${agent.id}`,
        agentId: agent.id,
      };
      return;
    }
  }
  if (!token) {
    req.authFailure = 'unknown or revoked token';
    return;
  }
  req.principal = {
    name: token.name,
    role: token.role,
    tenant: token.tenant,
    tokenId: token.id,
    ...(token.rateLimit !== null ? { rateLimit: token.rateLimit } : {}),
  };
}

/**
 * Installs the two hooks: onRequest resolves the caller (before the rate limiter, which keys on it),
 * preParsing enforces the route's permission (after the rate limiter, so failed guesses count too).
 */
export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  let cached: { token: string | undefined; hash: Buffer | undefined } = { token: undefined, hash: undefined };
  const configHash = (): Buffer | undefined => {
    const token = typeof opts.configToken === 'function' ? opts.configToken() : opts.configToken;
    if (token !== cached.token)
      cached = { token, hash: token ? Buffer.from(hashSecret(token), 'hex') : undefined };
    return cached.hash;
  };
  app.decorateRequest('principal', null);
  app.decorateRequest('authFailure', null);
  app.addHook('onRequest', async (req) => {
    await resolve(req, opts, configHash());
  });
  app.addHook('preParsing', async (req) => {
    if (req.is404) return;
    const permission = req.routeOptions.config.permission ?? 'read';
    if (req.authFailure !== null) throw new ApiError('unauthorized', req.authFailure);
    if (permission === 'public') return;
    if (req.principal === null) {
      if (opts.anonymousRead && allows(ANONYMOUS, permission)) {
        req.principal = ANONYMOUS;
        return;
      }
      throw new ApiError('unauthorized', 'this call needs a bearer token (Authorization: Bearer <secret>)');
    }
    if (!allows(req.principal, permission)) {
      const p = req.principal;
      const who = `token "${p.name}" (${p.role}${p.tenant !== null ? `, tenant ${p.tenant}` : ''})`;
      throw new ApiError('forbidden', `${who} may not ${permission.replace(':', ' ')}`);
    }
  });
}
