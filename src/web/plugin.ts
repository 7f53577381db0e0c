// The dashboard as a fastify plugin: the built single-page app (vite output, no CDN) under /dashboard/,
// and the read endpoints only it needs: the live event stream, the effective policy, the engine's
// deployment queue, and one host's traffic against its baseline. Everything else the dashboard reads is the ordinary /api/v1.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import type { Rule } from '../domain/rule.js';
import { tenantResolver } from './scope.js';
import { registerStream, type StreamPorts } from './stream.js';

export interface DashboardOptions extends StreamPorts {
  /** The effective policy, credentials redacted (see policy.ts). */
  policy(): unknown;
  /** Rules the engine holds back (deployment rate limit), not yet in the store's rule list. */
  queuedRules(tenant?: string): readonly Rule[];
  /** Folder with the built dashboard (index.html); default: dist/dashboard in the package. */
  readonly assetsDir?: string;
}

/** Where `npm run build:web` puts the dashboard, seen from src/web (tsx) or dist/web (compiled). */
export function defaultAssetsDir(): string {
  let dir = resolve(import.meta.dirname ?? '.');
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'dashboard');
    dir = dirname(dir);
  }
  return resolve(import.meta.dirname ?? '.', '..', 'dashboard');
}

const trafficQuery = z
  .object({
    target: z.string().min(1).max(64),
    direction: z.enum(['incoming', 'outgoing']).default('incoming'),
  })
  .strict();

const queueQuery = z.object({ tenant: z.string().min(1).max(64).optional() }).strict();

function parse<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const q = schema.safeParse(query);
  if (!q.success)
    throw new ApiError(
      'invalid_request',
      `invalid query: ${q.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ')}`,
    );
  return q.data;
}

/**
 * The permission each route needs, in the API's route config (`config.permission`, read by the token
 * auth of issue 13: "public", "read", "policies:read", "system:read"). Typed loosely so the plugin
 * compiles with or without that declaration.
 */
const needs = (permission: 'public' | 'read' | 'policies:read'): Record<string, unknown> => ({ permission });

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (
  app: FastifyInstance,
  opts: DashboardOptions,
) => {
  registerStream(app, opts);
  const tenantOfTarget = (target: string) => tenantResolver(opts.tenants?.() ?? {})(target);

  app.get('/api/v1/policy', { config: needs('policies:read') }, async () => opts.policy());

  app.get('/api/v1/queue', { config: needs('read') }, async (req) => {
    const q = parse(queueQuery, req.query);
    const own = opts.tenantOf?.(req);
    // a tenant's token sees its own queue whatever it asks for another
    if (own && q.tenant !== undefined && q.tenant !== own)
      throw new ApiError('not_found', `no tenant ${q.tenant} for this token`);
    return { rules: opts.queuedRules(own ?? q.tenant) };
  });

  app.get('/api/v1/traffic', { config: needs('read') }, async (req) => {
    const q = parse(trafficQuery, req.query);
    const own = opts.tenantOf?.(req);
    const sample = own && tenantOfTarget(q.target) !== own ? undefined : opts.traffic(q.target, q.direction);
    if (!sample)
      throw new ApiError(
        'not_found',
        `${q.target} (${q.direction}) is not tracked: no traffic in the window, or not in your networks`,
      );
    return { sample };
  });

  // the page and its assets hold no data: the browser loads them before its user logs in
  app.addHook('onRoute', (route) => {
    if (route.url === '/' || route.url.startsWith('/dashboard'))
      route.config = { ...(route.config as object), ...needs('public') } as typeof route.config;
  });
  // hidden from the OpenAPI document (@fastify/swagger reads schema.hide), as the static files are
  const hidden = { hide: true } as Record<string, unknown>;
  app.get('/', { schema: hidden }, (_req, reply) => reply.redirect('/dashboard/'));
  const root = opts.assetsDir ?? defaultAssetsDir();
  if (existsSync(join(root, 'index.html'))) {
    await app.register(fastifyStatic, { root, prefix: '/dashboard/', decorateReply: false });
  } else {
    app.get('/dashboard/*', (req, reply) => {
      req.log.warn({ root }, 'dashboard requested but not built');
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`The dashboard is not built (no ${join(root, 'index.html')}). Run: npm run build:web\n`);
    });
  }
};
