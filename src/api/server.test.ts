// The HTTP layer: routes, validation, the error catalogue, tokens, roles and tenants, over a real SQLite
// store (src/api/testing.ts). The engine-backed rule service is tested end to end elsewhere.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { buildApi } from './server.js';
import { CONFIG_SECRET, type Fixture, bearer, openFixture, secretOf } from './testing.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture({
    reload: async () => ({ ok: false, applied: [], restartRequired: [], error: 'api.port: expected number' }),
  });
});
afterEach(() => fx.close());

const owner = bearer(secretOf('owner', null));
const api = (opts: Parameters<typeof buildApi>[1] = {}) =>
  buildApi(fx.ports, { token: CONFIG_SECRET, ...opts });

describe('HTTP API', () => {
  it('GET /healthz answers without a token, with details only for a token that may read system views', async () => {
    const app = api();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', version: '0.0.0-test' });
    expect(res.json().checks).toBeUndefined();
    expect((await app.inject({ url: '/healthz', headers: owner })).json().checks).toBeDefined();
    const tenant = await app.inject({ url: '/healthz', headers: bearer(secretOf('admin', 'bluecorp')) });
    expect(tenant.json().checks).toBeUndefined();
  });

  it('lists rules, active only on request', async () => {
    const app = api();
    expect((await app.inject({ url: '/api/v1/rules', headers: owner })).json().rules).toHaveLength(4);
    const active = (await app.inject({ url: '/api/v1/rules?active=true', headers: owner })).json()
      .rules as Rule[];
    expect(active.map((r) => r.id).sort()).toEqual(['rule-bluecorp-1', 'rule-redcorp-1']);
    const withdrawn = await app.inject({
      url: '/api/v1/rules?state=withdrawn&tenant=redcorp',
      headers: owner,
    });
    expect(withdrawn.json().rules.map((r: Rule) => r.id)).toEqual(['rule-redcorp-old']);
  });

  it('answers bad queries from the error catalogue', async () => {
    const app = api();
    const res = await app.inject({ url: '/api/v1/rules?state=bogus', headers: owner });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.json().error.message).toMatch(/state/);
    expect((await app.inject({ url: '/api/v1/rules?colour=red', headers: owner })).statusCode).toBe(400);
    const missing = await app.inject({ url: '/api/v1/nothing', headers: owner });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('creates a manual rule, and maps a guard refusal to 422', async () => {
    const app = api();
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: owner,
      payload: { target: '203.0.113.9', intent: 'drop', protocol: 17, port: 53 },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().rule).toMatchObject({ target: '203.0.113.9/32', tenant: 'redcorp' });
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: owner,
      payload: { target: '10.1.1.1', intent: 'drop' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({
      code: 'rejected_by_guard',
      details: { reason: 'special-purpose' },
    });
    const garbage = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: owner,
      payload: { target: '1.2.3.4/99', intent: 'drop' },
    });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error.details).toEqual({ reason: 'invalid-target' });
  });

  it('rejects malformed bodies with a clear message', async () => {
    const app = api();
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/rules',
        headers: { ...owner, ...headers },
        payload: payload as string,
      });
    const notJson = await post('{"target":', { 'content-type': 'application/json' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('invalid_request');
    const wrongIntent = await post({ target: '203.0.113.9', intent: 'nuke' });
    expect(wrongIntent.statusCode).toBe(400);
    expect(wrongIntent.json().error.message).toMatch(/intent/);
    expect((await post({ target: '203.0.113.9', intent: 'drop', sudo: true })).statusCode).toBe(400);
  });

  it('withdraws a rule (audited under the token name) and 404s an unknown one', async () => {
    const app = api();
    const res = await app.inject({
      method: 'DELETE',
      url: '/api/v1/rules/rule-redcorp-1',
      headers: bearer(secretOf('operator', 'redcorp')),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().rule.state).toBe('withdrawn');
    const [rec] = await fx.store.audit.query({ ruleId: 'rule-redcorp-1', action: 'withdraw' });
    expect(rec?.actor).toBe('api:operator-redcorp');
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/rules/nope', headers: owner })).statusCode,
    ).toBe(404);
  });

  it('lists attacks and audit records with filters', async () => {
    const app = api();
    expect(
      (await app.inject({ url: '/api/v1/attacks?active=true', headers: owner })).json().attacks,
    ).toHaveLength(2);
    const audit = (
      await app.inject({ url: '/api/v1/audit?ruleId=rule-bluecorp-1&action=announce', headers: owner })
    ).json().records;
    expect(audit).toHaveLength(1);
    expect(audit[0].payload).toEqual({ text: 'flow4 dst 198.51.100.5/32' });
    expect((await app.inject({ url: '/api/v1/audit?action=explode', headers: owner })).statusCode).toBe(400);
  });

  it('needs a token for reads and writes; anonymousRead lets reads through, never writes', async () => {
    const closed = api();
    const read = await closed.inject('/api/v1/rules');
    expect(read.statusCode).toBe(401);
    expect(read.json().error.code).toBe('unauthorized');
    expect((await closed.inject({ url: '/api/v1/rules', headers: bearer('wrong') })).statusCode).toBe(401);
    expect(
      (await closed.inject({ url: '/api/v1/rules', headers: { authorization: 'Basic x' } })).statusCode,
    ).toBe(401);
    const open = api({ anonymousRead: true });
    expect((await open.inject('/api/v1/rules')).statusCode).toBe(200);
    expect((await open.inject('/api/v1/auth/whoami')).json()).toEqual({
      name: 'anonymous',
      role: 'readonly',
      tenant: null,
    });
    const write = await open.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { target: '203.0.113.9', intent: 'drop' },
    });
    expect(write.statusCode).toBe(401);
    // a wrong token is refused even where anonymous reads are allowed
    expect((await open.inject({ url: '/api/v1/rules', headers: bearer('wrong') })).statusCode).toBe(401);
  });

  it('api.token is an owner token named "config"', async () => {
    const app = api();
    const who = await app.inject({ url: '/api/v1/auth/whoami', headers: bearer(CONFIG_SECRET) });
    expect(who.json()).toEqual({ name: 'config', role: 'owner', tenant: null });
  });

  it('a failed config reload answers 422 config_rejected and says why', async () => {
    const app = api();
    const res = await app.inject({ method: 'POST', url: '/api/v1/config/reload', headers: owner });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'config_rejected', message: /api.port/ });
    const op = await app.inject({
      method: 'POST',
      url: '/api/v1/config/reload',
      headers: bearer(secretOf('operator', null)),
    });
    expect(op.statusCode).toBe(403);
    expect(op.json().error.code).toBe('forbidden');
  });

  it('answers 429 rate_limited once a token exceeds its limit, per token', async () => {
    const app = api({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await app.inject({ url: '/api/v1/rules', headers: owner })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const limited = await app.inject({ url: '/api/v1/rules', headers: owner });
    expect(limited.json().error).toMatchObject({ code: 'rate_limited', details: { limit: 3 } });
    expect(limited.headers['retry-after']).toBeDefined();
    // another token has its own budget
    expect(
      (await app.inject({ url: '/api/v1/rules', headers: bearer(secretOf('readonly', null)) })).statusCode,
    ).toBe(200);
    // guessing secrets is limited by address
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++)
      guesses.push((await app.inject({ url: '/api/v1/rules', headers: bearer(`guess${i}`) })).statusCode);
    expect(guesses).toEqual([401, 401, 401, 429, 429]);
  });

  it('CORS is off by default and answers only the configured origins', async () => {
    const pre = {
      method: 'OPTIONS' as const,
      url: '/api/v1/rules',
      headers: { origin: 'https://noc.example', 'access-control-request-method': 'GET' },
    };
    const off = await api().inject(pre);
    expect(off.headers['access-control-allow-origin']).toBeUndefined();
    const on = api({ corsOrigins: ['https://noc.example'] });
    const res = await on.inject(pre);
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://noc.example');
    const other = await on.inject({ ...pre, headers: { ...pre.headers, origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('never answers 5xx to arbitrary query strings and bodies (fuzz)', async () => {
    const app = api();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/rules', '/api/v1/attacks', '/api/v1/audit', '/api/v1/tokens'),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
        fc.jsonValue({ maxDepth: 3 }),
        async (path, query, body) => {
          const get = await app.inject({ method: 'GET', url: path, query, headers: owner });
          expect(get.statusCode).toBeLessThan(500);
          if (path === '/api/v1/rules' || path === '/api/v1/tokens') {
            const post = await app.inject({
              method: 'POST',
              url: path,
              payload: JSON.stringify(body),
              headers: { ...owner, 'content-type': 'application/json' },
            });
            expect(post.statusCode).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
