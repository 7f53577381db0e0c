// The dashboard plugin over real sockets: the SSE stream forwards the event bus and a per-second rate
// sample, ends with the server, drops its subscription with the client; the API's bearer auth covers
// the stream and the policy while the static page stays public; policy redaction; traffic endpoint.
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApi } from '../api/server.js';
import type { ApiPorts } from '../api/ports.js';
import type { ApiOptions } from '../api/server.js';
import type { TrafficSample } from '../detect/detector.js';
import { EventBus } from '../domain/events.js';
import { sampleRule } from '../domain/sample-rule.js';
import { sampleEvent } from '../store/store-contract.js';
import { dashboardPlugin, type DashboardOptions } from './plugin.js';
import { registerStream } from './stream.js';
import { REDACTED, redactSecrets } from './policy.js';

const HOST = '127.18.0.30';
const assets = mkdtempSync(join(tmpdir(), 'fg-web-assets-'));
mkdirSync(join(assets, 'assets'));
writeFileSync(join(assets, 'index.html'), '<!doctype html><title>floodgate</title><div id="app"></div>');
afterAll(() => rmSync(assets, { recursive: true, force: true }));

const sample = (target: string, pps: number): TrafficSample => ({
  target,
  level: 'host',
  direction: 'incoming',
  mode: 'ewma',
  pps,
  bps: pps * 8000,
  baselinePps: 10,
  baselineBps: 80_000,
});

function options(bus: EventBus): DashboardOptions {
  return {
    events: bus,
    sampleEveryMs: 50,
    assetsDir: assets,
    openAttacks: () => [
      { attackId: 'a1', target: '203.0.113.5/32', direction: 'incoming' },
      { attackId: 'a2', target: '203.0.113.5/32', direction: 'incoming' }, // same target: one sample
      { attackId: 'a3', target: '203.0.113.6/32', direction: 'incoming' }, // untracked: none
    ],
    traffic: (t) => (t === '203.0.113.5/32' ? sample(t, 1234) : undefined),
    policy: () => ({
      mitigation: redactSecrets({ webhook: { url: 'https://u:pw@example.net/', token: 'x' } }),
    }),
    queuedRules: (tenant) =>
      [sampleRule('q1', { tenant: 'acme' }), sampleRule('q2', { tenant: 'other' })].filter(
        (r) => tenant === undefined || r.tenant === tenant,
      ),
  };
}

interface Frame {
  id?: string;
  event: string;
  data: unknown;
}

/** Reads SSE frames from a fetch response until `until` says stop. */
async function readFrames(res: Response, until: (frames: Frame[]) => boolean): Promise<Frame[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Frame[] = [];
  let buf = '';
  while (!until(frames)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const f: Partial<Frame> & { event: string } = { event: 'message' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) f.event = line.slice(7);
        else if (line.startsWith('id: ')) f.id = line.slice(4);
        else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
      }
      if (f.data !== undefined) frames.push(f as Frame);
    }
  }
  await reader.cancel();
  return frames;
}

const connections = (app: FastifyInstance) =>
  new Promise<number>((resolve, reject) => app.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

async function serve(app: FastifyInstance): Promise<string> {
  return app.listen({ host: HOST, port: 0 });
}

describe('GET /api/v1/stream', () => {
  it('forwards bus events and samples the attacked targets every period', async () => {
    const bus = new EventBus();
    const app = Fastify();
    await app.register(dashboardPlugin, options(bus));
    const base = await serve(app);
    try {
      const res = await fetch(`${base}/api/v1/stream`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const event = sampleEvent('start', 1_000);
      setTimeout(() => {
        bus.publish({ type: 'attack', at: 1_000, event });
        bus.publish({
          type: 'audit',
          at: 2_000,
          record: {
            id: 7,
            at: 2_000,
            actor: 'engine',
            action: 'announce',
            tenant: 'default',
            dryRun: true,
            reason: 'r',
          },
        });
      }, 100);
      const frames = await readFrames(
        res,
        (f) => f.some((x) => x.event === 'audit') && f.filter((x) => x.event === 'rates').length >= 3,
      );
      expect(frames[0]!.event).toBe('hello');
      const attack = frames.find((f) => f.event === 'attack')!;
      expect(attack.data).toEqual({ type: 'attack', at: 1_000, event });
      expect(frames.find((f) => f.event === 'audit')!.data).toMatchObject({
        record: { id: 7, action: 'announce' },
      });
      const rates = frames.filter((f) => f.event === 'rates').map((f) => f.data as { samples: unknown[] });
      for (const r of rates)
        expect(r.samples).toEqual([{ ...sample('203.0.113.5/32', 1234), attackId: 'a1' }]);
      // ids increase so a reader can tell frames apart
      const ids = frames.map((f) => Number(f.id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      // the client went away: the bus subscription goes with it
      await vi.waitFor(() => expect(bus.size).toBe(0), { timeout: 10_000, interval: 20 });
    } finally {
      await app.close();
    }
  });

  it('scopes the stream to the tenant of the request', async () => {
    const bus = new EventBus();
    const app = Fastify();
    await app.register(dashboardPlugin, {
      ...options(bus),
      tenants: () => ({ acme: { networks: ['203.0.113.0/25'] }, beta: { networks: ['198.51.100.0/24'] } }),
      tenantOf: (req) => (req.headers['x-tenant'] as string | undefined) ?? null,
    });
    const base = await serve(app);
    try {
      const open = (tenant?: string) =>
        fetch(`${base}/api/v1/stream`, { headers: tenant ? { 'x-tenant': tenant } : {} });
      const [acme, beta, global] = await Promise.all([open('acme'), open('beta'), open()]);
      setTimeout(() => {
        bus.publish({
          type: 'attack',
          at: 1,
          event: { ...sampleEvent('start', 1), target: '198.51.100.9/32' },
        });
        bus.publish({ type: 'adapter', at: 2, adapter: 'gobgp', state: 'down' });
        bus.publish({
          type: 'attack',
          at: 3,
          event: { ...sampleEvent('start', 3), target: '203.0.113.5/32' },
        });
      }, 100);
      // every reader stops at the last attack only global and acme see; beta stops after its own
      const targets = async (res: Response, last: string) =>
        (
          await readFrames(res, (f) =>
            f.some(
              (x) => x.event === 'attack' && (x.data as { event: { target: string } }).event.target === last,
            ),
          )
        )
          .filter((f) => f.event !== 'hello')
          .map((f) =>
            f.event === 'attack'
              ? (f.data as { event: { target: string } }).event.target
              : f.event === 'rates'
                ? `rates:${(f.data as { samples: unknown[] }).samples.length}`
                : f.event,
          );
      const [a, b, g] = await Promise.all([
        targets(acme, '203.0.113.5/32'),
        targets(beta, '198.51.100.9/32'),
        targets(global, '203.0.113.5/32'),
      ]);
      expect(a.filter((x) => !x.startsWith('rates'))).toEqual(['203.0.113.5/32']);
      expect(a.filter((x) => x.startsWith('rates')).every((x) => x === 'rates:1')).toBe(true); // 203.0.113.5 is acme's
      expect(b.filter((x) => !x.startsWith('rates'))).toEqual(['198.51.100.9/32']);
      expect(b.filter((x) => x.startsWith('rates')).every((x) => x === 'rates:0')).toBe(true);
      expect(g.filter((x) => !x.startsWith('rates'))).toEqual([
        '198.51.100.9/32',
        'adapter',
        '203.0.113.5/32',
      ]);
    } finally {
      await app.close();
    }
  });

  it('ends open streams when the server closes (shutdown is not held up)', async () => {
    const bus = new EventBus();
    const app = Fastify();
    await app.register(dashboardPlugin, options(bus));
    const base = await serve(app);
    const res = await fetch(`${base}/api/v1/stream`);
    const reading = readFrames(res, () => false);
    await app.close();
    const frames = await reading; // resolves because the server ended the stream
    expect(frames[0]!.event).toBe('hello');
    expect(bus.size).toBe(0);
  });

  it('cuts off a client that stops reading, and keeps serving the others', async () => {
    const bus = new EventBus();
    const app = Fastify();
    const stats = registerStream(app, { ...options(bus), maxBufferedBytes: 64 * 1024 });
    const base = new URL(await serve(app));
    try {
      // a raw client that sends the request and never reads a byte of the answer
      const stuck = connect(Number(base.port), base.hostname);
      stuck.pause();
      stuck.write(`GET /api/v1/stream HTTP/1.1\r\nHost: ${base.host}\r\n\r\n`);
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(`${base.origin}/api/v1/stream`);
      const reader = res.body!.getReader();
      let read = 0;
      const draining = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          read += value.length;
        }
      })();
      expect(stats.clients).toBe(2);
      const big = {
        type: 'audit' as const,
        at: 1,
        record: {
          at: 1,
          actor: 'x',
          action: 'alert' as const,
          tenant: 't',
          dryRun: true,
          reason: 'y'.repeat(64 * 1024),
        },
      };
      // publish until the kernel's socket buffers are full and the server-side queue passes the limit
      for (let i = 0; i < 2000 && stats.slowClientsDropped === 0; i++) {
        bus.publish(big);
        await new Promise((r) => setImmediate(r));
      }
      expect(stats.slowClientsDropped).toBe(1);
      // and the server closed its connection rather than keep holding the queued data
      for (let i = 0; i < 100 && (await connections(app)) > 1; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await connections(app)).toBe(1);
      expect(stats.clients).toBe(1);
      expect(bus.size).toBe(1); // the reading client still subscribed
      expect(read).toBeGreaterThan(64 * 1024);
      await reader.cancel();
      await draining;
      stuck.destroy();
    } finally {
      await app.close();
    }
  });
});

describe('dashboard plugin behind the API auth', () => {
  it('needs the bearer token for stream, policy and traffic; the page itself is public', async () => {
    const bus = new EventBus();
    // (cast: the options differ between the single-token API and the token-account API; both take `token`)
    const app = buildApi({} as ApiPorts, { token: 'sekrit', readsNeedToken: true } as ApiOptions);
    await app.register(dashboardPlugin, options(bus));
    const base = await serve(app);
    const auth = { authorization: 'Bearer sekrit' };
    try {
      for (const path of [
        '/api/v1/stream',
        '/api/v1/policy',
        '/api/v1/queue',
        '/api/v1/traffic?target=203.0.113.5/32',
      ]) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, path).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
      const page = await fetch(`${base}/dashboard/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
      const root = await fetch(`${base}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/dashboard/');

      const policy = await fetch(`${base}/api/v1/policy`, { headers: auth });
      expect(await policy.json()).toEqual({
        mitigation: { webhook: { url: `https://u:${REDACTED}@example.net/`, token: REDACTED } },
      });
      const traffic = await fetch(`${base}/api/v1/traffic?target=203.0.113.5/32`, { headers: auth });
      expect(await traffic.json()).toEqual({ sample: sample('203.0.113.5/32', 1234) });
      const untracked = await fetch(`${base}/api/v1/traffic?target=203.0.113.9/32`, { headers: auth });
      expect(untracked.status).toBe(404);
      const bad = await fetch(`${base}/api/v1/traffic?target=203.0.113.9/32&direction=sideways`, {
        headers: auth,
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request');

      const queue = await fetch(`${base}/api/v1/queue?tenant=acme`, { headers: auth });
      expect(((await queue.json()) as { rules: { id: string }[] }).rules.map((r) => r.id)).toEqual(['q1']);
      expect((await fetch(`${base}/api/v1/queue?tenant=`, { headers: auth })).status).toBe(400);

      const stream = await fetch(`${base}/api/v1/stream`, { headers: auth });
      expect(stream.status).toBe(200);
      await stream.body!.cancel();
    } finally {
      await app.close();
    }
  });

  it("names each route's permission for the token auth, and scopes queue and traffic to a tenant token", async () => {
    const app = Fastify();
    // what the token auth reads when a request comes in: the matched route's config.permission
    const permissions: Record<string, unknown> = {};
    app.addHook('onRequest', async (req) => {
      permissions[req.routeOptions.url ?? '?'] = (
        req.routeOptions.config as { permission?: string }
      ).permission;
    });
    await app.register(dashboardPlugin, {
      ...options(new EventBus()),
      tenants: () => ({ acme: { networks: ['203.0.113.0/25'] }, beta: { networks: ['198.51.100.0/24'] } }),
      tenantOf: (req) => (req.headers['x-tenant'] as string | undefined) ?? null,
    });
    const base = await serve(app);
    try {
      for (const path of ['/', '/dashboard/', '/api/v1/policy', '/api/v1/queue', '/api/v1/traffic?target=x'])
        await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(permissions).toMatchObject({
        '/': 'public',
        '/dashboard/*': 'public',
        '/api/v1/policy': 'policies:read',
        '/api/v1/queue': 'read',
        '/api/v1/traffic': 'read',
      });
      const get = (path: string, tenant?: string) =>
        fetch(`${base}${path}`, { headers: tenant ? { 'x-tenant': tenant } : {} });
      const ids = async (res: Response) =>
        ((await res.json()) as { rules: { id: string }[] }).rules.map((r) => r.id);
      expect(await ids(await get('/api/v1/queue'))).toEqual(['q1', 'q2']);
      expect(await ids(await get('/api/v1/queue', 'acme'))).toEqual(['q1']);
      expect(await ids(await get('/api/v1/queue?tenant=acme', 'acme'))).toEqual(['q1']);
      expect((await get('/api/v1/queue?tenant=other', 'acme')).status).toBe(404);
      const traffic = '/api/v1/traffic?target=203.0.113.5/32';
      expect((await get(traffic)).status).toBe(200);
      expect((await get(traffic, 'acme')).status).toBe(200);
      expect((await get(traffic, 'beta')).status).toBe(404); // another tenant's host does not exist for beta
    } finally {
      await app.close();
    }
  });

  it('answers 503 with how to build it when the dashboard is not built', async () => {
    const app = Fastify();
    await app.register(dashboardPlugin, { ...options(new EventBus()), assetsDir: join(assets, 'missing') });
    const base = await serve(app);
    try {
      const res = await fetch(`${base}/dashboard/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:web');
    } finally {
      await app.close();
    }
  });
});

describe('redactSecrets', () => {
  it('replaces credential-named keys and URL passwords, deeply, and leaves the rest', () => {
    expect(
      redactSecrets({
        apiToken: 'a',
        nested: [{ password: 'p', secretKey: 's', name: 'n' }],
        url: 'postgres://fg:hunter2@db/fg',
        plain: 'https://example.net/x',
        enabled: true,
        authorization: null,
        cidr: '203.0.113.0/24',
      }),
    ).toEqual({
      apiToken: REDACTED,
      nested: [{ password: REDACTED, secretKey: REDACTED, name: 'n' }],
      url: `postgres://fg:${REDACTED}@db/fg`,
      plain: 'https://example.net/x',
      enabled: true,
      authorization: null,
      cidr: '203.0.113.0/24',
    });
  });
});
