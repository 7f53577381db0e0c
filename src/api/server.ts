// HTTP API (fastify): rules, attacks, audit, health, config reload, exporters, BGP peers.
// Every input is validated with zod and every error answers from the one catalogue (errors.ts).
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { INTENTS } from '../domain/rule.js';
import { FLOAT32_MAX } from '../flowspec/actions.js';
import { ApiError } from './errors.js';
import type { ApiPorts } from './ports.js';

export interface ApiOptions {
  /**
   * Bearer token required for write calls (and for reads when readsNeedToken). A function is read on
   * every request, so a config reload that changes api.token takes effect at once.
   */
  readonly token?: string | (() => string | undefined);
  readonly readsNeedToken?: boolean;
  readonly logger?: boolean | object;
  readonly bodyLimit?: number;
}

const ruleStates = z.enum(['pending', 'announced', 'failed', 'withdrawn']);
const stateList = z
  .string()
  .transform((s) => s.split(',').filter(Boolean))
  .pipe(z.array(ruleStates));
const ms = z.coerce.number().finite().nonnegative();

const rulesQuery = z
  .object({
    tenant: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    state: stateList.optional(),
    active: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

const attacksQuery = z
  .object({
    active: z.enum(['true', 'false']).optional(),
    target: z.string().min(1).optional(),
    since: ms.optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

const auditQuery = z
  .object({
    tenant: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    ruleId: z.string().min(1).optional(),
    action: z
      .enum([
        'alert',
        'announce',
        'escalate',
        'de-escalate',
        'withdraw',
        'reject',
        'queue',
        'rollback',
        'refresh',
        'retry',
        'config',
      ])
      .optional(),
    since: ms.optional(),
    until: ms.optional(),
    afterId: z.coerce.number().int().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

const portList = z.union([
  z.number().int().min(0).max(65535),
  z.array(z.number().int().min(0).max(65535)).min(1).max(32),
]);

/** Body of POST /api/v1/rules: the engine's ManualRuleRequest; every guard applies to it. */
export const manualRuleBody = z
  .object({
    target: z.string().min(1).max(64).describe('IPv4/IPv6 address or prefix inside your networks'),
    intent: z.enum(INTENTS),
    tenant: z.string().min(1).max(64).optional(),
    protocol: z
      .union([z.number().int().min(0).max(255), z.array(z.number().int().min(0).max(255)).min(1).max(16)])
      .optional(),
    port: portList.optional(),
    sourcePort: portList.optional(),
    match: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe('Full FlowSpec match in the text grammar, e.g. "flow4 proto =17 sport =53 length >=512"'),
    rateBitsPerSecond: z
      .number()
      .finite()
      .positive()
      .max(8 * FLOAT32_MAX, 'beyond what the 32-bit float of a FlowSpec traffic-rate holds (RFC 8955 §7.1)')
      .optional(),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .optional(),
    level: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    dryRun: z.boolean().optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();

/** Engine refusal codes that mean the request itself is malformed rather than refused by a guard. */
const INVALID_CODES = new Set([
  'invalid',
  'invalid-target',
  'invalid-request',
  'bad-request',
  'invalid-match',
  'invalid-rate',
]);

const withdrawBody = z
  .object({ reason: z.string().max(500).optional() })
  .strict()
  .optional();

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new ApiError(
      'invalid_request',
      `invalid ${where}: ` +
        r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
      r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return r.data;
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function buildApi(ports: ApiPorts, options: ApiOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 1024 * 1024 });

  const currentToken = (): string | undefined =>
    (typeof options.token === 'function' ? options.token() : options.token) || undefined;
  const actorOf = (req: FastifyRequest) => (currentToken() ? 'api:token' : `api:${req.ip}`);

  app.addHook('onRequest', async (req) => {
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    const token = currentToken();
    if (token && (write || options.readsNeedToken) && req.url !== '/healthz') {
      if (!tokenMatches(token, req.headers.authorization)) {
        throw new ApiError(
          'unauthorized',
          'missing or wrong bearer token (Authorization: Bearer <api.token>)',
        );
      }
    }
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError) return reply.status(err.status).send(err.toJSON());
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      // fastify's own parse errors (bad JSON, body too large, bad content type)
      return reply
        .status(e.statusCode)
        .send(new ApiError('invalid_request', e.message, { fastifyCode: e.code }).toJSON());
    }
    req.log.error({ err }, 'API handler failed');
    return reply.status(500).send(new ApiError('internal', 'internal error; see the server log').toJSON());
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(new ApiError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`).toJSON()),
  );

  app.get('/healthz', async (_req, reply) => {
    const h = await ports.health();
    return reply.status(h.ok ? 200 : 503).send({
      status: h.ok ? 'ok' : 'degraded',
      version: ports.version,
      uptimeSeconds: Math.round((Date.now() - ports.startedAt) / 1000),
      checks: h.checks,
    });
  });

  app.get('/api/v1/rules', async (req) => {
    const q = parse(rulesQuery, req.query, 'query');
    const states = q.active === 'true' ? (['pending', 'announced', 'failed'] as const) : q.state;
    const rules = await ports.rules.list({
      ...(q.tenant !== undefined ? { tenant: q.tenant } : {}),
      ...(q.target !== undefined ? { target: q.target } : {}),
      ...(states !== undefined ? { states } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return { rules };
  });

  app.get('/api/v1/rules/:id', async (req) => {
    const { id } = parse(z.object({ id: z.string().min(1).max(128) }), req.params, 'path');
    const rule = await ports.rules.get(id);
    if (!rule) throw new ApiError('not_found', `no rule ${id}`);
    return { rule };
  });

  app.post('/api/v1/rules', async (req, reply) => {
    const body = parse(manualRuleBody, req.body, 'body');
    const out = await ports.rules.add(body, actorOf(req));
    if (!out.ok) {
      if (out.code === 'rate-limited') throw new ApiError('rate_limited', out.reason, { reason: out.code });
      throw new ApiError(INVALID_CODES.has(out.code) ? 'invalid_request' : 'rejected_by_guard', out.reason, {
        reason: out.code,
      });
    }
    return reply.status(out.queued ? 202 : 201).send({ rule: out.rule, queued: out.queued });
  });

  app.delete('/api/v1/rules/:id', async (req) => {
    const { id } = parse(z.object({ id: z.string().min(1).max(128) }), req.params, 'path');
    const body = parse(withdrawBody, req.body ?? undefined, 'body');
    const rule = await ports.rules.withdraw(id, actorOf(req), body?.reason ?? 'withdrawn through the API');
    if (!rule) throw new ApiError('not_found', `no active rule ${id}`);
    return { rule };
  });

  app.get('/api/v1/attacks', async (req) => {
    const q = parse(attacksQuery, req.query, 'query');
    const attacks = await ports.attacks.list({
      ...(q.active !== undefined ? { active: q.active === 'true' } : {}),
      ...(q.target !== undefined ? { target: q.target } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return { attacks };
  });

  app.get('/api/v1/audit', async (req) => {
    const q = parse(auditQuery, req.query, 'query');
    return { records: await ports.audit.query(q) };
  });

  app.post('/api/v1/config/reload', async (_req, reply) => {
    const out = await ports.reloadConfig();
    return reply.status(out.ok ? 200 : 422).send(out);
  });

  app.get('/api/v1/exporters', async () => ({ exporters: ports.exporters() }));

  app.get('/api/v1/bgp/peers', async () => {
    if (!ports.bgpPeers)
      throw new ApiError('unavailable', 'the native BGP speaker is not configured (bgp section)');
    return { peers: ports.bgpPeers() };
  });

  app.get('/api/v1/bgp/peers/:peer/adj-rib-out', async (req) => {
    const { peer } = parse(z.object({ peer: z.string().min(1).max(64) }), req.params, 'path');
    if (!ports.bgpAdjRibOut)
      throw new ApiError('unavailable', 'the native BGP speaker is not configured (bgp section)');
    const out = ports.bgpAdjRibOut(peer);
    if (out === undefined) throw new ApiError('not_found', `no BGP peer ${peer}`);
    return { peer, routes: out };
  });

  return app;
}
