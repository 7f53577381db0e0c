// GET /metrics as its own fastify plugin: Prometheus text exposition format 0.0.4. Access: the
// system:read permission (any role of a token not bound to one tenant; anonymous reads when allowed).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, errorResponses } from '../api/errors.js';

export interface MetricsEndpoint {
  readonly contentType: string;
  /** false while exports.metrics.enabled is off (live reload): the route answers 404. */
  enabled(): boolean;
  render(): Promise<string>;
}

export async function metricsRoute(app: FastifyInstance, opts: { metrics: MetricsEndpoint }): Promise<void> {
  app.get(
    '/metrics',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Prometheus metrics (text exposition format 0.0.4); see docs/metrics.md',
        tags: ['system'],
        produces: ['text/plain'],
        response: { 200: z.string(), ...errorResponses('not_found') },
      },
    },
    async (_req, reply) => {
      if (!opts.metrics.enabled())
        throw new ApiError('not_found', 'metrics are off (exports.metrics.enabled: false)');
      const body = await opts.metrics.render();
      return reply
        .header('content-type', opts.metrics.contentType)
        .header('cache-control', 'no-store')
        .send(body);
    },
  );
}
