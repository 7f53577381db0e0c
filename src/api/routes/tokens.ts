// /api/v1/tokens: create (secret shown once), list and revoke API tokens; /api/v1/auth/whoami.
// Admins and owners manage tokens; nobody mints a token more powerful than their own (an admin cannot
// mint an owner); a tenant-bound admin manages only its tenant's tokens. Owner tokens are unbound.
import { randomUUID } from 'node:crypto';
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { type Principal, roleRank } from '../../domain/access.js';
import { actorOf, hashSecret, newSecret, principalOf, scopeTenant, visibleTo } from '../auth.js';
import { ApiError, errorResponses } from '../errors.js';
import { roleSchema, tokenSchema } from '../schemas.js';

const RESERVED = new Set(['config', 'anonymous']);

export const createTokenBody = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'letters, digits, ".", "_", "@", "-"; at most 64')
      .describe('Shown in the audit log as api:<name>.'),
    role: roleSchema,
    tenant: z.string().min(1).max(64).optional().describe('Bind the token to one tenant (not for owners).'),
    rateLimit: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Requests per api.rateLimit window.'),
  })
  .strict();

const whoamiSchema = z.object({ name: z.string(), role: roleSchema, tenant: z.string().nullable() });

function mayManage(caller: Principal, role: Principal['role'], tenant: string | null): string | undefined {
  if (roleRank(role) < roleRank(caller.role)) return `a ${caller.role} token cannot manage ${role} tokens`;
  if (!visibleTo(caller, tenant ?? undefined))
    return `token "${caller.name}" is bound to tenant ${caller.tenant}`;
  return undefined;
}

export const tokenRoutes: ApiPlugin = async (app, { ports }) => {
  app.get(
    '/api/v1/auth/whoami',
    {
      schema: {
        summary: 'Who the bearer token is',
        tags: ['auth'],
        response: { 200: whoamiSchema, ...errorResponses() },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return { name: p.name, role: p.role, tenant: p.tenant };
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens:manage' },
      schema: {
        summary: 'List API tokens',
        tags: ['auth'],
        querystring: z.object({ revoked: z.enum(['true', 'false']).optional() }).strict(),
        response: { 200: z.object({ tokens: z.array(tokenSchema) }), ...errorResponses('invalid_request') },
      },
    },
    async (req) => {
      const tenant = scopeTenant(principalOf(req), undefined);
      const tokens = await ports.tokens.list({
        ...(tenant !== undefined ? { tenant } : {}),
        includeRevoked: req.query.revoked === 'true',
      });
      return { tokens };
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens:manage' },
      schema: {
        summary: 'Create an API token (the secret is shown once)',
        tags: ['auth'],
        body: createTokenBody,
        response: {
          201: z.object({ token: tokenSchema, secret: z.string().describe('Bearer secret; not stored.') }),
          ...errorResponses('invalid_request', 'conflict'),
        },
      },
    },
    async (req, reply) => {
      const caller = principalOf(req);
      const body = req.body;
      const tenant = scopeTenant(caller, body.tenant) ?? null;
      if (RESERVED.has(body.name))
        throw new ApiError('invalid_request', `token name "${body.name}" is reserved`);
      if (body.role === 'owner' && tenant !== null)
        throw new ApiError('invalid_request', 'owner tokens are not bound to a tenant');
      if (tenant !== null && !ports.tenants().has(tenant))
        throw new ApiError('invalid_request', `no tenant "${tenant}" (mitigation.tenants)`);
      const refused = mayManage(caller, body.role, tenant);
      if (refused) throw new ApiError('forbidden', refused);
      if ((await ports.tokens.list()).some((t) => t.name === body.name))
        throw new ApiError('conflict', `a token named "${body.name}" exists; revoke it first`);
      const secret = newSecret();
      const token = await ports.tokens.create({
        id: randomUUID(),
        name: body.name,
        role: body.role,
        tenant,
        secretHash: hashSecret(secret),
        rateLimit: body.rateLimit ?? null,
        createdAt: Date.now(),
        createdBy: actorOf(req),
      });
      await ports.audit.append({
        at: token.createdAt,
        actor: actorOf(req),
        action: 'config',
        tenant: tenant ?? '*',
        dryRun: false,
        reason: `API token "${token.name}" created (${token.role}${tenant ? `, tenant ${tenant}` : ''})`,
        payload: { token: { id: token.id, name: token.name, role: token.role, tenant } },
      });
      return reply.status(201).send({ token, secret });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { permission: 'tokens:manage' },
      schema: {
        summary: 'Revoke an API token',
        tags: ['auth'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: {
          200: z.object({ token: tokenSchema }),
          ...errorResponses('invalid_request', 'not_found'),
        },
      },
    },
    async (req) => {
      const caller = principalOf(req);
      const { id } = req.params;
      if (id === 'config')
        throw new ApiError('forbidden', 'the "config" token is api.token in the config file');
      const token = await ports.tokens.get(id);
      if (!token || token.revokedAt !== null || !visibleTo(caller, token.tenant ?? undefined))
        throw new ApiError('not_found', `no active token ${id}`);
      const refused = mayManage(caller, token.role, token.tenant);
      if (refused) throw new ApiError('forbidden', refused);
      const at = Date.now();
      if (!(await ports.tokens.revoke(id, at))) throw new ApiError('not_found', `no active token ${id}`);
      await ports.audit.append({
        at,
        actor: actorOf(req),
        action: 'config',
        tenant: token.tenant ?? '*',
        dryRun: false,
        reason: `API token "${token.name}" revoked`,
        payload: { token: { id: token.id, name: token.name, role: token.role, tenant: token.tenant } },
      });
      return { token: { ...token, revokedAt: at } };
    },
  );
};
