// /api/v1/agents: enrol a host agent (its key is shown once, stored as SHA-256 like an API token's
// secret), list and revoke agents; /api/v1/agents/report: what an agent posts every interval (attack
// events, counters, packet samples), answered with the mitigations it is to hold (docs/agent.md).
// Owners and unbound admins manage agents; agent keys hold agents:report and nothing else.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { agentReportAnswerSchema, agentReportSchema } from '../../agent/protocol.js';
import { newAgentKey } from '../../agent/registry.js';
import { INTENTS } from '../../domain/rule.js';
import { tryParsePrefix } from '../../net/index.js';
import { actorOf, hashSecret, principalOf } from '../auth.js';
import { ApiError, errorResponses } from '../errors.js';
import type { ApiPlugin } from '../plugin.js';
import { jsonObject } from '../schemas.js';

export const enrolAgentBody = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_", "-"; at most 64')
      .describe('The node name of its attack events (and of its nftables rules\u2019 audit trail).'),
    networks: z
      .array(
        z.string().refine((s) => tryParsePrefix(s) !== undefined, 'expected a CIDR prefix, host bits clear'),
      )
      .min(1)
      .max(64)
      .describe('Prefixes the agent reports for (its own addresses); other targets are refused.'),
    allow: z
      .array(z.enum(INTENTS))
      .max(INTENTS.length)
      .default([])
      .describe('Intents the agent may apply in its nftables table (empty: detect and report only).'),
  })
  .strict();

const agentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    networks: z.array(z.string()),
    allow: z.array(z.enum(INTENTS)),
    createdAt: z.number().describe('Unix ms.'),
    createdBy: z.string(),
    revokedAt: z.number().nullable(),
    status: jsonObject
      .nullable()
      .optional()
      .describe('Last report: when, counters, capture, held rules, queue (null: never reported).'),
  })
  .describe('An enrolled host agent (never its key).');

export const agentsRoutes: ApiPlugin = async (app, { ports }) => {
  const agents = ports.agents;
  if (!agents) return;

  app.get(
    '/api/v1/agents',
    {
      config: { permission: 'agents:manage' },
      schema: {
        summary: 'List host agents with their last report',
        tags: ['agents'],
        querystring: z.object({ revoked: z.enum(['true', 'false']).optional() }).strict(),
        response: { 200: z.object({ agents: z.array(agentSchema) }), ...errorResponses('invalid_request') },
      },
    },
    async (req) => {
      const list = await agents.registry.list(req.query.revoked === 'true');
      return { agents: list.map((a) => ({ ...a, status: agents.hub.statusOf(a.id) ?? null })) };
    },
  );

  app.post(
    '/api/v1/agents',
    {
      config: { permission: 'agents:manage' },
      schema: {
        summary: 'Enrol a host agent (its key is shown once)',
        tags: ['agents'],
        body: enrolAgentBody,
        response: {
          201: z.object({ agent: agentSchema, key: z.string().describe('The agent key; not stored.') }),
          ...errorResponses('invalid_request', 'conflict'),
        },
      },
    },
    async (req, reply) => {
      const key = newAgentKey();
      const out = await agents.registry.create(
        {
          id: randomUUID(),
          name: req.body.name,
          networks: req.body.networks,
          allow: [...new Set(req.body.allow)],
          createdAt: Date.now(),
          createdBy: actorOf(req),
        },
        hashSecret(key),
      );
      if (!out.ok)
        throw out.why === 'exists'
          ? new ApiError('conflict', `an agent named "${req.body.name}" exists; revoke it first`)
          : new ApiError('conflict', 'agents.maxAgents reached; revoke an agent first');
      await ports.audit.append({
        at: out.agent.createdAt,
        actor: actorOf(req),
        action: 'config',
        tenant: '*',
        dryRun: false,
        reason: `host agent "${out.agent.name}" enrolled (networks ${out.agent.networks.join(', ')}; may apply ${out.agent.allow.join(', ') || 'nothing'})`,
        payload: { agent: out.agent },
      });
      return reply.status(201).send({ agent: out.agent, key });
    },
  );

  app.delete(
    '/api/v1/agents/:id',
    {
      config: { permission: 'agents:manage' },
      schema: {
        summary: 'Revoke a host agent (its key stops working at once)',
        tags: ['agents'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: {
          200: z.object({ agent: agentSchema }),
          ...errorResponses('invalid_request', 'not_found'),
        },
      },
    },
    async (req) => {
      const agent = await agents.registry.revoke(req.params.id, Date.now());
      if (!agent) throw new ApiError('not_found', `no active agent ${req.params.id}`);
      agents.hub.forget(agent.id);
      await ports.audit.append({
        at: agent.revokedAt ?? Date.now(),
        actor: actorOf(req),
        action: 'config',
        tenant: '*',
        dryRun: false,
        reason: `host agent "${agent.name}" revoked`,
        payload: { agent },
      });
      return { agent };
    },
  );

  app.post(
    '/api/v1/agents/report',
    {
      config: { permission: 'agents:report' },
      // a report carries up to MAX_SAMPLES_PER_REPORT base64 headers
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        summary: 'A host agent reports attack events, counters and packet samples (agent key)',
        tags: ['agents'],
        body: agentReportSchema,
        response: { 200: agentReportAnswerSchema, ...errorResponses('invalid_request') },
      },
    },
    async (req) => {
      const id = principalOf(req).agentId;
      const agent = id !== undefined ? await agents.registry.get(id) : undefined;
      if (!agent || agent.revokedAt !== null)
        throw new ApiError('unauthorized', 'unknown or revoked agent key');
      return agents.hub.report(agent, req.body);
    },
  );
};
