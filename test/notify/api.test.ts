// The notification API plugins on the real fastify app: incidents (list, acknowledge, resolve), dead
// letters, maintenance windows, channel tests, and the public status pages that stay readable without
// the token that every other read needs off loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server.js';
import type { ApiPorts } from '../../src/api/ports.js';
import { openFixture, secretOf, type Fixture } from '../../src/api/testing.js';
import { OPENAPI_PATH } from '../../src/api/openapi.js';
import { statusPagesConfigSchema } from '../../src/notify/config.js';
import type { Incident } from '../../src/notify/types.js';
import { FAST_RETRY, attackLife, harness, rule, type Harness } from './harness.js';
import * as vendors from './vendor-contracts.js';
import { VendorServer } from './vendor-server.js';

const HOST = '127.16.0.4';
const TOKEN = 'tok-123';

describe('notification API and status routes', () => {
  let h: Harness;
  let api: FastifyInstance;
  let slack: VendorServer;
  let fx: Fixture;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    slack = await VendorServer.start(HOST, vendors.slack);
    h = await harness({
      channels: [{ type: 'slack', name: 'noc', url: `${slack.url}/x`, retry: FAST_RETRY }],
    });
    fx = await openFixture();
    const ports: ApiPorts = {
      ...fx.ports,
      notify: {
        notifier: h.notifier,
        statusPages: () => statusPagesConfigSchema.parse({ tenants: { acme: { showAddresses: true } } }),
        publicUrl: () => 'https://status.example/',
        tenant: (name: string) => (name === 'acme' || name === 'other' ? { name, networks: [] } : undefined),
        now: Date.now,
      },
    };
    api = buildApi(ports, { token: TOKEN });
    await api.ready();
    h.rules.set('r1', rule('r1', '203.0.113.10/32'));
    const [start, announce] = attackLife('203.0.113.10/32', Date.now(), 'r1');
    h.bus.publish(start!);
    h.bus.publish(announce!);
    await h.notifier.idle();
  });

  afterAll(async () => {
    await api.close();
    await h.notifier.stop();
    await slack.close();
    await fx.close();
  });

  it('lists incidents behind the token and acknowledges then resolves one, refusing the same step twice', async () => {
    expect((await api.inject({ url: '/api/v1/incidents' })).statusCode).toBe(401);
    const list = await api.inject({ url: '/api/v1/incidents?tenant=acme&state=open', headers: auth });
    const [incident] = (list.json() as { incidents: Incident[] }).incidents;
    expect(incident).toMatchObject({ tenant: 'acme', subject: '203.0.113.10/32', state: 'open' });
    const ack = await api.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incident!.id}/acknowledge`,
      headers: auth,
      payload: { by: 'alice', note: 'on it' },
    });
    expect(ack.json()).toMatchObject({ incident: { state: 'acknowledged', acknowledgedBy: 'alice' } });
    const again = await api.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incident!.id}/acknowledge`,
      headers: auth,
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { error: { code: string } }).error.code).toBe('conflict');
    const res = await api.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incident!.id}/resolve`,
      headers: auth,
    });
    expect(res.json()).toMatchObject({ incident: { state: 'resolved' } });
    expect(
      (await api.inject({ method: 'POST', url: '/api/v1/incidents/nope/resolve', headers: auth })).statusCode,
    ).toBe(404);
    expect(
      (
        await api.inject({
          method: 'POST',
          url: `/api/v1/incidents/${incident!.id}/resolve`,
          payload: { bad: 1 },
          headers: auth,
        })
      ).statusCode,
    ).toBe(400);
    await h.notifier.idle();
    const titles = slack.requests.map((r) => (r.json as { text: string }).text);
    expect(titles.at(-2)).toMatch(/acknowledged by alice/);
    expect(titles.at(-1)).toMatch(/resolved by api:/);
  });

  it('a tenant-bound token sees only its own incidents and may not change operator-wide settings', async () => {
    const blue = { authorization: `Bearer ${secretOf('operator', 'bluecorp')}` };
    const list = await api.inject({ url: '/api/v1/incidents', headers: blue });
    expect(list.json()).toEqual({ incidents: [] }); // every incident here is acme's
    expect((await api.inject({ url: '/api/v1/incidents?tenant=acme', headers: blue })).statusCode).toBe(403);
    const made = await api.inject({
      method: 'POST',
      url: '/api/v1/maintenance',
      headers: blue,
      payload: { name: 'x', targets: ['*'], start: '2030-01-01T00:00:00Z', end: '2030-01-01T02:00:00Z' },
    });
    expect(made.statusCode).toBe(403);
    const ro = { authorization: `Bearer ${secretOf('readonly', null)}` };
    const [any] = (await api.inject({ url: '/api/v1/incidents', headers: auth })).json()
      .incidents as Incident[];
    expect(
      (await api.inject({ method: 'POST', url: `/api/v1/incidents/${any!.id}/resolve`, headers: ro }))
        .statusCode,
    ).toBe(403);
  });

  it('keeps maintenance windows made through the API and validates them', async () => {
    const made = await api.inject({
      method: 'POST',
      url: '/api/v1/maintenance',
      headers: auth,
      payload: {
        name: 'router swap',
        targets: ['203.0.113.0/24'],
        start: '2030-01-01T00:00:00Z',
        end: '2030-01-01T02:00:00Z',
      },
    });
    expect(made.statusCode).toBe(201);
    const id = (made.json() as { window: { id: string } }).window.id;
    expect((await api.inject({ url: '/api/v1/maintenance', headers: auth })).json()).toMatchObject({
      windows: [{ id, name: 'router swap', start: Date.parse('2030-01-01T00:00:00Z') }],
    });
    const bad = await api.inject({
      method: 'POST',
      url: '/api/v1/maintenance',
      headers: auth,
      payload: { name: 'x', targets: ['*'], start: '2030-01-01T02:00:00Z', end: '2030-01-01T00:00:00Z' },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (await api.inject({ method: 'DELETE', url: `/api/v1/maintenance/${id}`, headers: auth })).statusCode,
    ).toBe(200);
    expect(
      (await api.inject({ method: 'DELETE', url: `/api/v1/maintenance/${id}`, headers: auth })).statusCode,
    ).toBe(404);
  });

  it('lists and resends dead letters, tests a channel, and reports channel stats', async () => {
    slack.scripted.push({ status: 500 }, { status: 500 }, { status: 500 });
    h.bus.publish({ type: 'adapter', at: Date.now(), adapter: 'gobgp', state: 'down' });
    await h.notifier.idle();
    const dl = (await api.inject({ url: '/api/v1/notifications/dead-letters', headers: auth })).json() as {
      deadLetters: { id: number; channel: string }[];
    };
    expect(dl.deadLetters).toHaveLength(1);
    const retry = await api.inject({
      method: 'POST',
      url: `/api/v1/notifications/dead-letters/${dl.deadLetters[0]!.id}/retry`,
      headers: auth,
    });
    expect(retry.statusCode).toBe(200);
    expect((await api.inject({ url: '/api/v1/notifications/dead-letters', headers: auth })).json()).toEqual({
      deadLetters: [],
    });
    expect(
      (await api.inject({ method: 'POST', url: '/api/v1/notifications/channels/noc/test', headers: auth }))
        .statusCode,
    ).toBe(200);
    expect(
      (await api.inject({ method: 'POST', url: '/api/v1/notifications/channels/nope/test', headers: auth }))
        .statusCode,
    ).toBe(404);
    const stats = (await api.inject({ url: '/api/v1/notifications', headers: auth })).json() as {
      channels: Record<string, { failed: number }>;
    };
    expect(stats.channels.noc!.failed).toBe(1);
  });

  it('serves opted-in status pages without the token, and nothing else', async () => {
    const page = await api.inject({ url: '/status/acme' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Resolved: DNS amplification attack against 203.0.113.10/32'); // showAddresses
    expect((await api.inject({ url: '/status/acme/status.json' })).json()).toMatchObject({
      tenant: 'acme',
      state: 'operational',
    });
    const rss = (await api.inject({ url: '/status/acme/feed.rss' })).body;
    expect(rss).toContain('<link>https://status.example/status/acme</link>');
    expect((await api.inject({ url: '/status/other' })).statusCode).toBe(404); // a tenant without a page
    expect((await api.inject({ url: '/status/ghost/feed.rss' })).statusCode).toBe(404);
    expect((await api.inject({ method: 'POST', url: '/status/acme' })).statusCode).toBe(404); // GET only
  });

  it('documents the notification and status routes in the OpenAPI document', async () => {
    const doc = (await api.inject(OPENAPI_PATH)).json() as {
      paths: Record<string, Record<string, { responses: object }>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/incidents',
        '/api/v1/incidents/{id}/acknowledge',
        '/status/{slug}',
        '/status/{slug}/feed.atom',
      ]),
    );
    expect(Object.keys(doc.paths['/api/v1/incidents']!.get!.responses)).toEqual(
      expect.arrayContaining(['401', '403', '429']),
    );
  });
});
