// /api/v1/rules: list, read, add (manual rule through every guard) and withdraw. A tenant-bound token
// sees and touches only its tenant's rules; adding needs the rules:write permission (operator and up).
import { FLOAT32_MAX } from '../../flowspec/actions.js';
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { INTENTS } from '../../domain/rule.js';
import { actorOf, principalOf, scopeTenant, visibleTo } from '../auth.js';
import { ApiError, engineRefusal, errorResponses } from '../errors.js';
import { ruleSchema, ruleStateSchema } from '../schemas.js';

const stateList = z
  .string()
  .transform((s) => s.split(',').filter(Boolean))
  .pipe(z.array(ruleStateSchema));

export const rulesQuery = z
  .object({
    tenant: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    state: stateList.optional().describe('Comma-separated states.'),
    active: z.enum(['true', 'false']).optional().describe('true: pending, announced and failed rules.'),
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
    tenant: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("Default: the tenant owning the target (the token's own)."),
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

const idParams = z.object({ id: z.string().min(1).max(128) });
const withdrawBody = z
  .object({ reason: z.string().max(500).optional() })
  .strict()
  .nullish();

export const rulesRoutes: ApiPlugin = async (app, { ports }) => {
  app.get(
    '/api/v1/rules',
    {
      schema: {
        summary: 'List rules',
        tags: ['rules'],
        querystring: rulesQuery,
        response: { 200: z.object({ rules: z.array(ruleSchema) }), ...errorResponses('invalid_request') },
      },
    },
    async (req) => {
      const q = req.query;
      const tenant = scopeTenant(principalOf(req), q.tenant);
      const states = q.active === 'true' ? (['pending', 'announced', 'failed'] as const) : q.state;
      const rules = await ports.rules.list({
        ...(tenant !== undefined ? { tenant } : {}),
        ...(q.target !== undefined ? { target: q.target } : {}),
        ...(states !== undefined ? { states } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
      return { rules };
    },
  );

  app.get(
    '/api/v1/rules/:id',
    {
      schema: {
        summary: 'One rule',
        tags: ['rules'],
        params: idParams,
        response: { 200: z.object({ rule: ruleSchema }), ...errorResponses('invalid_request', 'not_found') },
      },
    },
    async (req) => {
      const rule = await ports.rules.get(req.params.id);
      if (!rule || !visibleTo(principalOf(req), rule.tenant))
        throw new ApiError('not_found', `no rule ${req.params.id}`);
      return { rule };
    },
  );

  app.post(
    '/api/v1/rules',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: 'Add a manual rule (every guard applies)',
        tags: ['rules'],
        body: manualRuleBody,
        response: {
          201: z.object({ rule: ruleSchema, queued: z.literal(false) }).describe('Rule deployed.'),
          202: z.object({ rule: ruleSchema, queued: z.literal(true) }).describe('Rule queued (rate limits).'),
          ...errorResponses('invalid_request', 'rejected_by_guard'),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const tenant = scopeTenant(p, req.body.tenant);
      const out = await ports.rules.add(
        { ...req.body, ...(tenant !== undefined ? { tenant } : {}) },
        actorOf(req),
      );
      if (!out.ok) throw engineRefusal(out.code, out.reason);
      return reply.status(out.queued ? 202 : 201).send({ rule: out.rule, queued: out.queued });
    },
  );

  app.delete(
    '/api/v1/rules/:id',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: 'Withdraw a rule now',
        tags: ['rules'],
        params: idParams,
        body: withdrawBody,
        response: { 200: z.object({ rule: ruleSchema }), ...errorResponses('invalid_request', 'not_found') },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const { id } = req.params;
      if (p.tenant !== null) {
        const rule = await ports.rules.get(id);
        if (!rule || !visibleTo(p, rule.tenant)) throw new ApiError('not_found', `no active rule ${id}`);
      }
      const rule = await ports.rules.withdraw(
        id,
        actorOf(req),
        req.body?.reason ?? 'withdrawn through the API',
      );
      if (!rule) throw new ApiError('not_found', `no active rule ${id}`);
      return { rule };
    },
  );
};
