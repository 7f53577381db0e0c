// Authorisation fuzz over every endpoint × role × tenant (fast-check, fastify inject): a tenant-bound
// token never reads another tenant's data nor changes it, a read-only token (or an anonymous reader)
// never changes anything, and what a role lacks is answered 403. Every route the API registers takes part.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, type Permission, type Role } from '../domain/access.js';
import { REGISTRY_KEY } from '../agent/registry.js';
import type { SqlStore } from '../store/sql-store.js';
import { DOCS_PREFIX, OPENAPI_PATH } from './openapi.js';
import { buildApi } from './server.js';
import {
  AGENT_SECRET,
  type Fixture,
  FIXTURE_ROLES,
  TENANTS,
  type TenantName,
  delegatingPorts,
  openFixture,
  secretOf,
} from './testing.js';

interface Route {
  readonly method: string;
  readonly url: string;
  readonly permission: Permission | 'public';
}

type Caller = { role: Role; tenant: TenantName | null } | 'anonymous' | 'agent';
const OTHER: Record<TenantName, TenantName> = { bluecorp: 'redcorp', redcorp: 'bluecorp' };

/** Everything a request could change, per tenant ("*" = not a tenant's). */
async function snapshot(store: SqlStore): Promise<Record<string, string>> {
  const rules = await store.rules.list({});
  const tokens = await store.tokens.list({ includeRevoked: true });
  const audit = await store.audit.query({ limit: 10_000 });
  const incidents = (await store.incidents?.list({})) ?? [];
  const agents = (await store.state.get(REGISTRY_KEY)) ?? '';
  const out: Record<string, string> = {};
  for (const t of [...Object.keys(TENANTS), '*']) {
    out[t] = JSON.stringify({
      rules: rules.filter((r) => r.tenant === t).map((r) => [r.id, r.state]),
      tokens: tokens.filter((k) => (k.tenant ?? '*') === t).map((k) => [k.id, k.revokedAt]),
      audit: audit.filter((a) => a.tenant === t).length,
      incidents: incidents.filter((i) => i.tenant === t).map((i) => [i.id, i.state, i.updatedAt]),
      ...(t === '*' ? { agents } : {}),
    });
  }
  return out;
}

const paramValues = [
  'rule-bluecorp-1',
  'rule-redcorp-1',
  'rule-redcorp-old',
  'tok-operator-redcorp',
  'tok-readonly-bluecorp',
  'tok-admin-global',
  'tok-owner-global',
  'attack-bluecorp',
  'attack-redcorp',
  'incident-bluecorp',
  'incident-redcorp',
  'config',
  'agent-fixture',
  'nope',
  '127.0.0.1',
];

const arbQuery = fc.record(
  {
    tenant: fc.constantFrom('bluecorp', 'redcorp', 'nobody'),
    active: fc.constantFrom('true', 'false'),
    revoked: fc.constantFrom('true', 'false'),
  },
  { requiredKeys: [] },
);

const arbBody = fc.oneof(
  fc.record(
    {
      target: fc.constantFrom(
        '198.51.100.9',
        '203.0.113.9',
        '2001:db8:bad::1',
        '198.51.100.0/25',
        '10.0.0.1',
      ),
      intent: fc.constantFrom('drop', 'rate-limit', 'blackhole'),
      tenant: fc.constantFrom('bluecorp', 'redcorp'),
    },
    { requiredKeys: ['target', 'intent'] },
  ),
  fc.record(
    {
      name: fc.constantFrom('newbie', 'alice', 'admin-global'),
      role: fc.constantFrom('owner', 'admin', 'operator', 'readonly'),
      tenant: fc.constantFrom('bluecorp', 'redcorp'),
    },
    { requiredKeys: ['name', 'role'] },
  ),
  fc.record({ reason: fc.constantFrom('fuzz') }),
  fc.record(
    {
      name: fc.constantFrom('newbie', 'fixture-agent'),
      networks: fc.constantFrom(['198.51.100.0/24'], ['203.0.113.0/24', '2001:db8:bad::/48'], ['x']),
      allow: fc.constantFrom(['drop'], [], ['drop', 'rate-limit']),
    },
    { requiredKeys: ['name', 'networks'] },
  ),
  fc.record({
    seq: fc.constant(1),
    sentAt: fc.constant(5),
    version: fc.constant('t'),
    samplingRate: fc.constant(1),
  }),
  fc.constant(undefined),
);

function routeTable(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  app.addHook('onRoute', (r) => {
    if (r.url.startsWith(DOCS_PREFIX) || r.url === OPENAPI_PATH) return;
    for (const m of [r.method].flat())
      if (m !== 'HEAD') routes.push({ method: m, url: r.url, permission: r.config?.permission ?? 'read' });
  });
  return routes;
}

interface Case {
  readonly caller: Caller;
  readonly route: Route;
  readonly param: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
}

/** One API over a fresh fixture per request: runs a case and checks every rule of the house. */
async function harness(anonymousRead: boolean) {
  const holder: { fx?: Fixture } = {};
  const app = buildApi(
    delegatingPorts(() => holder.fx!.ports),
    { anonymousRead, rateLimit: { max: 1e9, timeWindowMs: 60_000 } },
  );
  const routes = routeTable(app);
  await app.ready();
  const hit = new Set<string>();
  const check = async ({ caller, route, param, query, body }: Case): Promise<void> => {
    const fx = (holder.fx = await openFixture());
    try {
      const before = await snapshot(fx.store);
      const url = route.url.replace(/:(\w+)/g, encodeURIComponent(fx.resolve(param)));
      const res = await app.inject({
        method: route.method as 'GET',
        url,
        query,
        headers:
          caller === 'anonymous'
            ? {}
            : {
                authorization: `Bearer ${caller === 'agent' ? AGENT_SECRET : secretOf(caller.role, caller.tenant)}`,
              },
        ...(body !== undefined && route.method !== 'GET' ? { payload: body as object } : {}),
      });
      hit.add(`${route.method} ${route.url}`);
      const what = `${JSON.stringify(caller)} ${route.method} ${url} → ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode, what).toBeLessThan(500);
      const after = await snapshot(fx.store);
      const write = route.method !== 'GET';

      // permissions: a caller without the route's permission is refused, and changes nothing
      if (route.permission !== 'public') {
        const rule = PERMISSIONS[route.permission];
        const holds =
          caller === 'agent'
            ? rule.agentOnly === true
            : rule.agentOnly
              ? false
              : caller === 'anonymous'
                ? anonymousRead && rule.roles.includes('readonly')
                : rule.roles.includes(caller.role) && (caller.tenant === null || rule.tenantScoped);
        if (!holds) {
          expect([401, 403], what).toContain(res.statusCode);
          expect(after, what).toEqual(before);
        }
      }
      // read-only tokens, anonymous readers and host agents never change anything
      if (caller === 'anonymous' || caller === 'agent' || caller.role === 'readonly') {
        expect(after, what).toEqual(before);
        if (write && !(caller === 'agent' && route.permission === 'agents:report'))
          expect([401, 403], what).toContain(res.statusCode);
      }
      // a tenant-bound token: nothing of another tenant in what it reads, nothing changed outside its own
      if (caller !== 'anonymous' && caller !== 'agent' && caller.tenant !== null) {
        const other = OTHER[caller.tenant];
        if (res.statusCode < 300) {
          expect(res.body, what).not.toContain(TENANTS[other].prefix);
          expect(res.body, what).not.toContain(other);
          expect(res.body, what).not.toContain('"tenant":"*"');
          expect(res.body, what).not.toContain('-global');
        }
        expect(after[other], what).toEqual(before[other]);
        expect(after['*'], what).toEqual(before['*']);
      }
    } finally {
      await fx.close();
    }
  };
  return { app, routes, hit, check };
}

/** A valid agent report: one attack inside the fixture agent's networks, one outside (refused). */
const REPORT = {
  seq: 1,
  sentAt: 1_700_000_000_000,
  version: 'test',
  samplingRate: 10,
  events: ['203.0.113.9/32', '198.51.100.9/32'].map((target) => ({
    attackId: `in:${target}:1`,
    kind: 'start',
    target,
    direction: 'incoming',
    family: 'udp_flood',
    reason: 'test',
    node: 'x',
    hostGroup: 'default',
    at: 1_700_000_000_000,
    startedAt: 1_700_000_000_000,
    pps: 1,
    bps: 1,
    peakPps: 1,
    peakBps: 1,
    severity: 2,
    signature: { coverage: 1 },
  })),
};

const CALLERS: readonly Caller[] = [...FIXTURE_ROLES, 'anonymous', 'agent'];

describe('authorisation: every endpoint × role × tenant', () => {
  for (const anonymousRead of [false, true]) {
    it(`sweep: each route for each caller, own and other tenant's ids (anonymousRead ${anonymousRead})`, async () => {
      const h = await harness(anonymousRead);
      for (const route of h.routes)
        for (const caller of CALLERS)
          for (const param of route.url.includes(':')
            ? [
                'rule-redcorp-1',
                'tok-operator-redcorp',
                'tok-admin-bluecorp',
                'attack-redcorp',
                'incident-redcorp',
              ]
            : ['-'])
            await h.check({
              caller,
              route,
              param,
              query: {},
              body: route.url.includes('tokens')
                ? { name: 'newbie', role: 'operator' }
                : route.url === '/api/v1/agents/report'
                  ? REPORT
                  : route.url.includes('agents')
                    ? { name: 'newbie', networks: ['198.51.100.0/24'], allow: ['drop'] }
                    : { target: '203.0.113.9', intent: 'drop' },
            });
      expect([...h.hit].sort()).toEqual(h.routes.map((r) => `${r.method} ${r.url}`).sort());
      await h.app.close();
    }, 300_000);

    it(`fuzz: random callers, routes, ids, queries and bodies (anonymousRead ${anonymousRead})`, async () => {
      const h = await harness(anonymousRead);
      expect(h.routes.length).toBeGreaterThan(10);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...CALLERS),
          fc.constantFrom(...h.routes),
          fc.constantFrom(...paramValues),
          arbQuery,
          arbBody,
          async (caller, route, param, query, body) =>
            h.check({ caller, route, param, query: query as Record<string, string>, body }),
        ),
        { numRuns: 200 },
      );
      // (every route is covered by the sweep above; here, draws are random)
      await h.app.close();
    }, 300_000);
  }

  it('the checks catch a leak: an unbound token does see the other tenant', async () => {
    const fx = await openFixture();
    const app = buildApi(fx.ports);
    const res = await app.inject({
      url: '/api/v1/rules',
      headers: { authorization: `Bearer ${secretOf('readonly', null)}` },
    });
    expect(res.body).toContain(TENANTS.redcorp.prefix);
    expect(res.body).toContain(TENANTS.bluecorp.prefix);
    await fx.close();
  });
});
