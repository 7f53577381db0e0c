// The dashboard as a fastify plugin: the built single-page app (vite output, no CDN) under /dashboard/,
// and the read endpoints only it needs: the live event stream, the effective policy, and one host's
// traffic against its baseline. Everything else the dashboard reads is the ordinary /api/v1.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { registerStream, type StreamPorts } from './stream.js';

export interface DashboardOptions extends StreamPorts {
  /** The effective policy, credentials redacted (see policy.ts). */
  policy(): unknown;
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

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (
  app: FastifyInstance,
  opts: DashboardOptions,
) => {
  registerStream(app, opts);

  app.get('/api/v1/policy', async () => opts.policy());

  app.get('/api/v1/traffic', async (req) => {
    const q = trafficQuery.safeParse(req.query);
    if (!q.success)
      throw new ApiError(
        'invalid_request',
        `invalid query: ${q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const sample = opts.traffic(q.data.target, q.data.direction);
    if (!sample)
      throw new ApiError(
        'not_found',
        `${q.data.target} (${q.data.direction}) is not tracked: no traffic in the window, or not in your networks`,
      );
    return { sample };
  });

  app.get('/', (_req, reply) => reply.redirect('/dashboard/'));
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
