// HTTP API (fastify): a plugin per resource, zod schemas as the contract (validation and OpenAPI),
// bearer-token auth with roles and tenants, per-token rate limits, one error catalogue (errors.ts).
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler } from 'fastify-type-provider-zod';
import { installAuth } from './auth.js';
import { notifyRoutes } from './notify-routes.js';
import { ApiError, frameworkError, invalidInput, repeatedQueryKeys, type InputPart } from './errors.js';
import { registerOpenApi } from './openapi.js';
import type { ApiPorts } from './ports.js';
import { agentsRoutes } from './routes/agents.js';
import { attacksRoutes } from './routes/attacks.js';
import { auditRoutes } from './routes/audit.js';
import { forensicsRoutes } from './routes/forensics.js';
import { rpkiRoutes } from './routes/rpki.js';
import { rulesRoutes } from './routes/rules.js';
import { statusRoutes } from './status-routes.js';
import { systemRoutes } from './routes/system.js';
import { tenantRoutes } from './routes/tenants.js';
import { tokenRoutes } from './routes/tokens.js';

export { manualRuleBody } from './routes/rules.js';
import { metricsRoute } from '../export/metrics-route.js';

export interface ApiOptions {
  /** api.token: acts as an owner token named "config"; a function is read per request (live reload). */
  readonly token?: string | (() => string | undefined);
  /** api.anonymousRead: reads without a token (the app allows it on loopback listeners only). */
  readonly anonymousRead?: boolean;
  /** Requests per window per token (per address without one). */
  readonly rateLimit?: { readonly max: number; readonly timeWindowMs: number };
  /** Origins allowed cross-origin calls; none (the default) = CORS off. */
  readonly corsOrigins?: readonly string[];
  /** TLS certificate and key (PEM). */
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly logger?: boolean | object;
  readonly bodyLimit?: number;
}

const VALIDATION_PLACE: Record<string, string> = { querystring: 'query', body: 'body', params: 'path' };

function installCors(app: FastifyInstance, origins: readonly string[]): void {
  const allowed = new Set(origins);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      await reply
        .header('access-control-allow-methods', 'GET, POST, DELETE')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .status(204)
        .send();
    }
  });
}

export function buildApi(ports: ApiPorts, options: ApiOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    // routing errors (bad percent-encoding, over-long parameters) answer from the catalogue too
    frameworkErrors: (err, _req, reply) => {
      const e = frameworkError(err);
      void (reply as unknown as FastifyReply).status(e.status).send(e.toJSON());
    },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  // response schemas document the shapes; the bodies themselves are written as plain JSON
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError) return reply.status(err.status).send(err.toJSON());
    if (hasZodFastifySchemaValidationErrors(err)) {
      const place = (VALIDATION_PLACE[err.validationContext ?? ''] ?? 'body') as InputPart;
      const api = invalidInput(
        place,
        err.validation.map((v) => ({
          path: v.instancePath.replace(/^\//, '').split('/').filter(Boolean),
          message: v.message ?? 'invalid',
        })),
      );
      return reply.status(api.status).send(api.toJSON());
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      // fastify's own parse errors (bad JSON, body too large, bad content type)
      const api = frameworkError(e);
      return reply.status(api.status).send(api.toJSON());
    }
    req.log.error({ err }, 'API handler failed');
    return reply.status(500).send(new ApiError('internal', 'internal error; see the server log').toJSON());
  });
  // a key given twice in a query string arrives as a list: say so rather than "expected string"
  app.addHook('preValidation', async (req) => {
    const repeated = repeatedQueryKeys(req.query);
    if (repeated) throw repeated;
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(new ApiError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`).toJSON()),
  );

  if (options.corsOrigins?.length) installCors(app, options.corsOrigins);
  installAuth(app, {
    tokens: ports.tokens,
    ...(options.token ? { configToken: options.token } : {}),
    ...(options.anonymousRead ? { anonymousRead: true } : {}),
    ...(ports.agents ? { agents: ports.agents.registry } : {}),
  });
  const limits = options.rateLimit ?? { max: 600, timeWindowMs: 60_000 };
  void app.register(rateLimit, {
    global: true,
    max: (req) => req.principal?.rateLimit ?? limits.max,
    timeWindow: limits.timeWindowMs,
    keyGenerator: (req) => (req.principal ? `token:${req.principal.tokenId}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) =>
      new ApiError('rate_limited', `rate limit of ${ctx.max} requests exceeded; retry in ${ctx.after}`, {
        limit: ctx.max,
        retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
      }),
  });
  registerOpenApi(app, ports.version);
  for (const routes of [
    systemRoutes,
    rulesRoutes,
    attacksRoutes,
    auditRoutes,
    tokenRoutes,
    tenantRoutes,
    rpkiRoutes,
    forensicsRoutes,
  ])
    void app.register(routes, { ports });
  if (ports.agents) void app.register(agentsRoutes, { ports });
  if (ports.notify) void app.register(notifyRoutes, { ports });
  if (ports.notify) void app.register(statusRoutes, { ports });
  if (ports.metrics) void app.register(metricsRoute, { metrics: ports.metrics });
  return app;
}
