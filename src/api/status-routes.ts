// Public status pages, no login: /status/<tenant> (HTML), /status/<tenant>/status.json, feed.rss,
// feed.atom and events (Server-Sent Events). Only tenants listed in statusPages.tenants are served;
// any other name answers 404 exactly like a tenant that does not exist (no tenant enumeration).
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { renderAtom, renderRss } from '../notify/status/feeds.js';
import { renderLive, renderPage } from '../notify/status/html.js';
import { publicStatus, type PublicStatus } from '../notify/status/model.js';
import { ApiError, errorBody } from './errors.js';
import type { ApiPlugin } from './plugin.js';

const DAY = 86_400_000;
const KEEPALIVE_MS = 25_000;

const slugParams = z.object({ slug: z.string().min(1).max(128) });

/** Public: no token, no tenant scoping (the page shows only what the tenant opted to publish). */
function route(summary: string, produces: string): object {
  return {
    config: { permission: 'public' },
    schema: {
      summary,
      tags: ['status pages'],
      params: slugParams,
      produces: [produces],
      response: {
        200: z.unknown().describe(produces),
        404: errorBody.describe('not_found: no such status page'),
      },
    },
  };
}

export const statusRoutes: ApiPlugin = async (app, { ports }) => {
  const notify = ports.notify!;
  async function status(slug: string): Promise<PublicStatus> {
    const cfg = notify.statusPages();
    const page = cfg.tenants[slug];
    if (!page || !notify.tenant(slug)) throw new ApiError('not_found', `no status page ${slug}`);
    const now = notify.now();
    const incidents = await notify.notifier.listIncidents({
      tenant: slug,
      since: now - cfg.historyDays * DAY,
      limit: 2000,
    });
    const open = await notify.notifier.listIncidents({ tenant: slug, states: ['open', 'acknowledged'] });
    const byId = new Map([...incidents, ...open].map((i) => [i.id, i]));
    return publicStatus(slug, page, [...byId.values()], now, cfg.historyDays);
  }
  const slugOf = (p: unknown) => String((p as { slug: string }).slug);
  // absolute links in feeds: the configured public URL, else what the reader used to reach us
  const pageUrl = (req: { protocol: string; host: string }, slug: string) =>
    `${notify.publicUrl().replace(/\/+$/, '') || `${req.protocol}://${req.host}`}/status/${encodeURIComponent(slug)}`;
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');
  // open event streams end before the server closes, or close() would wait for them forever
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });

  app.get('/status/:slug', route('Public status page (HTML)', 'text/html'), async (req, reply) => {
    const s = await status(slugOf(req.params));
    noStore(reply).type('text/html; charset=utf-8');
    if ((req.query as { fragment?: string }).fragment === 'live') return renderLive(s);
    return renderPage(s, notify.statusPages().refreshSeconds, '/status');
  });

  app.get(
    '/status/:slug/status.json',
    route('Public status (JSON)', 'application/json'),
    async (req, reply) => {
      noStore(reply);
      return status(slugOf(req.params));
    },
  );

  app.get(
    '/status/:slug/feed.rss',
    route('Public status feed (RSS 2.0)', 'application/rss+xml'),
    async (req, reply) => {
      const slug = slugOf(req.params);
      const s = await status(slug);
      return noStore(reply)
        .type('application/rss+xml; charset=utf-8')
        .send(renderRss(s, pageUrl(req, slug)));
    },
  );

  app.get(
    '/status/:slug/feed.atom',
    route('Public status feed (Atom)', 'application/atom+xml'),
    async (req, reply) => {
      const slug = slugOf(req.params);
      const s = await status(slug);
      return noStore(reply)
        .type('application/atom+xml; charset=utf-8')
        .send(renderAtom(s, pageUrl(req, slug), `${pageUrl(req, slug)}/feed.atom`));
    },
  );

  // Server-Sent Events (HTML Living Standard §9.2): one "incident" event per change of this tenant's
  // incidents, carrying only the id and public state; the page then fetches the fresh content.
  app.get(
    '/status/:slug/events',
    route('Live updates (Server-Sent Events)', 'text/event-stream'),
    async (req, reply) => {
      const slug = slugOf(req.params);
      await status(slug); // 404 for an unknown page before the stream starts
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 5000\n\n');
      const off = notify.notifier.onIncident((i) => {
        if (i.tenant !== slug) return;
        res.write(
          `event: incident\ndata: ${JSON.stringify({ id: i.id, ongoing: i.state !== 'resolved' })}\n\n`,
        );
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      const close = () => {
        off();
        clearInterval(keepalive);
        streams.delete(end);
      };
      const end = () => {
        close();
        res.end();
      };
      streams.add(end);
      req.raw.on('close', close);
      res.on('error', close);
    },
  );
};
