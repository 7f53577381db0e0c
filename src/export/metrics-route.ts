// GET /metrics as its own fastify plugin: Prometheus text exposition format 0.0.4. Access follows the
// API's read rule (the server's onRequest hook): open on loopback, bearer token when bound elsewhere.
import type { FastifyInstance } from 'fastify';

export interface MetricsEndpoint {
  readonly contentType: string;
  /** false while exports.metrics.enabled is off (live reload): the route answers 404. */
  enabled(): boolean;
  render(): Promise<string>;
}

export async function metricsRoute(app: FastifyInstance, opts: { metrics: MetricsEndpoint }): Promise<void> {
  app.get('/metrics', async (_req, reply) => {
    if (!opts.metrics.enabled())
      return reply.status(404).send({
        error: { code: 'not_found', message: 'metrics are off (exports.metrics.enabled: false)' },
      });
    const body = await opts.metrics.render();
    return reply
      .header('content-type', opts.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
