// Response shapes of the HTTP API, for the OpenAPI document. Requests are validated by the schemas
// beside each route; responses are documented here and serialised as plain JSON.
import { z } from 'zod';
import { ROLES } from '../domain/access.js';
import { INTENTS } from '../domain/rule.js';

export const ruleStateSchema = z.enum(['pending', 'announced', 'failed', 'withdrawn']);

export const ruleSchema = z
  .looseObject({
    id: z.string(),
    tenant: z.string(),
    target: z.string().describe('Canonical target prefix.'),
    family: z.union([z.literal(4), z.literal(6)]),
    intent: z.enum(INTENTS),
    level: z.number().int().min(0).max(4),
    match: z.record(z.string(), z.unknown()).describe('FlowSpec match (destination = target).'),
    actions: z.array(z.record(z.string(), z.unknown())),
    rateBytesPerSecond: z.number().optional(),
    ttlSeconds: z.number(),
    createdAt: z.number().describe('Unix ms.'),
    expiresAt: z.number().describe('Unix ms.'),
    origin: z.enum(['auto', 'manual']),
    attackId: z.string().optional(),
    reason: z.string(),
    state: ruleStateSchema,
    dryRun: z.boolean(),
  })
  .describe('A mitigation rule (src/domain/rule.ts).');

export const attackSchema = z
  .object({
    attackId: z.string(),
    target: z.string(),
    family: z.string(),
    direction: z.string(),
    startedAt: z.number(),
    endedAt: z.number().optional(),
    lastEvent: z.record(z.string(), z.unknown()).describe('The newest AttackEvent of this attack.'),
  })
  .describe('An attack and its newest event.');

export const auditRecordSchema = z
  .object({
    id: z.number().int(),
    at: z.number(),
    actor: z.string().describe('"engine", "api:<token name>", "config"…'),
    action: z.string(),
    tenant: z.string(),
    target: z.string().optional(),
    ruleId: z.string().optional(),
    attackId: z.string().optional(),
    adapter: z.string().optional(),
    dryRun: z.boolean(),
    reason: z.string(),
    payload: z.unknown().optional(),
  })
  .describe('An append-only audit record.');

export const roleSchema = z.enum(ROLES);

export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    tenant: z.string().nullable(),
    createdAt: z.number().describe('Unix ms.'),
    createdBy: z.string(),
    rateLimit: z.number().int().nullable().describe('Requests per window; null = api.rateLimit.max.'),
    revokedAt: z.number().nullable(),
  })
  .describe('An API token (never its secret).');

export const verificationSchema = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  legacy: z.number().int().describe('Records older than the hash chain (covered by its first link).'),
  head: z.object({ id: z.number().int(), hash: z.string() }).nullable(),
  problems: z.array(
    z.object({
      id: z.number().int().nullable(),
      kind: z.enum(['edited', 'deleted', 'reordered', 'unchained', 'truncated']),
      message: z.string(),
    }),
  ),
});

/** Anything JSON (views whose shape belongs to another module). */
export const jsonObject = z.record(z.string(), z.unknown());
