// Operator-wide views and actions: health, flow exporters, BGP sessions, config reload. Exporters and
// BGP routes carry every tenant's traffic and rules, so they need an unbound token (system:read).
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { allows } from '../../domain/access.js';
import { ApiError, errorResponses } from '../errors.js';
import { jsonObject } from '../schemas.js';

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  checks: jsonObject.optional().describe('Per part; only for callers that may read system views.'),
});

const reloadSchema = z.object({
  ok: z.boolean(),
  applied: z.array(z.string()),
  restartRequired: z.array(z.string()),
  error: z.string().optional(),
});

export const systemRoutes: ApiPlugin = async (app, { ports }) => {
  app.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: {
        summary: 'Liveness and health (details with a token)',
        tags: ['system'],
        response: { 200: healthSchema, 503: healthSchema.describe('Degraded: a part is down.') },
      },
    },
    async (req, reply) => {
      const h = await ports.health();
      const detailed = req.principal !== null && allows(req.principal, 'system:read');
      return reply.status(h.ok ? 200 : 503).send({
        status: h.ok ? 'ok' : 'degraded',
        version: ports.version,
        uptimeSeconds: Math.round((Date.now() - ports.startedAt) / 1000),
        ...(detailed ? { checks: h.checks } : {}),
      });
    },
  );

  app.get(
    '/api/v1/exporters',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Flow exporters with last seen and counters',
        tags: ['system'],
        response: { 200: z.object({ exporters: z.unknown() }), ...errorResponses() },
      },
    },
    async () => ({ exporters: ports.exporters() }),
  );

  app.get(
    '/api/v1/bgp/peers',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Native BGP speaker sessions',
        tags: ['system'],
        response: { 200: z.object({ peers: z.unknown() }), ...errorResponses('unavailable') },
      },
    },
    async () => {
      if (!ports.bgpPeers)
        throw new ApiError('unavailable', 'the native BGP speaker is not configured (bgp section)');
      return { peers: ports.bgpPeers() };
    },
  );

  app.get(
    '/api/v1/bgp/peers/:peer/adj-rib-out',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Routes sent to one BGP peer',
        tags: ['system'],
        params: z.object({ peer: z.string().min(1).max(64) }),
        response: {
          200: z.object({ peer: z.string(), routes: z.unknown() }),
          ...errorResponses('invalid_request', 'not_found', 'unavailable'),
        },
      },
    },
    async (req) => {
      const { peer } = req.params;
      if (!ports.bgpAdjRibOut)
        throw new ApiError('unavailable', 'the native BGP speaker is not configured (bgp section)');
      const out = ports.bgpAdjRibOut(peer);
      if (out === undefined) throw new ApiError('not_found', `no BGP peer ${peer}`);
      return { peer, routes: out };
    },
  );

  app.post(
    '/api/v1/config/reload',
    {
      config: { permission: 'config:reload' },
      schema: {
        summary: 'Re-read the config file and apply what can change live',
        tags: ['system'],
        response: { 200: reloadSchema, ...errorResponses('config_rejected') },
      },
    },
    async () => {
      const out = await ports.reloadConfig();
      if (!out.ok) throw new ApiError('config_rejected', out.error ?? 'config refused', out);
      return out;
    },
  );
};
