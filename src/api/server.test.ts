// The HTTP layer: routes, validation, the error catalogue and auth, over a real SQLite store.
// The rule service here is a minimal in-memory one; the engine-backed one is tested end to end.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { openSqliteStore } from '../store/sqlite.js';
import { sampleEvent, sampleRule } from '../store/store-contract.js';
import type { Store } from '../store/types.js';
import type { ApiPorts, ManualRuleRequest } from './ports.js';
import { buildApi } from './server.js';

let store: Store;
const added: ManualRuleRequest[] = [];

function ports(): ApiPorts {
  return {
    version: '0.0.0-test',
    startedAt: Date.now(),
    rules: {
      list: (q) => store.rules.list(q),
      get: (id) => store.rules.get(id),
      add: async (req) => {
        added.push(req);
        if (req.target.startsWith('10.'))
          return {
            ok: false,
            code: 'special-purpose',
            reason: 'target 10.0.0.0/8 is private-use (RFC 1918)',
          };
        const rule = sampleRule(`m${added.length}`, {
          target: req.target,
          intent: req.intent,
          origin: 'manual',
        });
        await store.rules.upsert(rule);
        return { ok: true, rule, queued: false };
      },
      withdraw: async (id) => {
        const r = await store.rules.get(id);
        if (!r || r.state === 'withdrawn') return undefined;
        const w: Rule = { ...r, state: 'withdrawn' };
        await store.rules.upsert(w);
        return w;
      },
    },
    attacks: store.attacks,
    audit: store.audit,
    health: async () => ({ ok: true, checks: { store: 'ok' } }),
    reloadConfig: async () => ({
      ok: false,
      applied: [],
      restartRequired: [],
      error: 'api.port: expected number',
    }),
    exporters: () => [{ address: '127.0.0.1', datagrams: 3 }],
  };
}

beforeAll(async () => {
  store = await openSqliteStore(':memory:');
  await store.rules.upsert(sampleRule('r1'));
  await store.rules.upsert(sampleRule('r2', { state: 'withdrawn' }));
  await store.attacks.record(sampleEvent('start', 1000));
  await store.audit.append({
    at: 5,
    actor: 'engine',
    action: 'announce',
    tenant: 'default',
    ruleId: 'r1',
    dryRun: true,
    reason: 'x',
    payload: { a: 1 },
  });
});
afterAll(() => store.close());

describe('HTTP API', () => {
  it('GET /healthz answers ok', async () => {
    const app = buildApi(ports());
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', version: '0.0.0-test' });
  });

  it('lists rules, active only on request', async () => {
    const app = buildApi(ports());
    expect((await app.inject('/api/v1/rules')).json().rules).toHaveLength(2);
    const active = (await app.inject('/api/v1/rules?active=true')).json().rules as Rule[];
    expect(active.map((r) => r.id)).toEqual(['r1']);
    expect((await app.inject('/api/v1/rules?state=withdrawn')).json().rules.map((r: Rule) => r.id)).toEqual([
      'r2',
    ]);
  });

  it('answers bad queries from the error catalogue', async () => {
    const app = buildApi(ports());
    const res = await app.inject('/api/v1/rules?state=bogus');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.json().error.message).toMatch(/state/);
    const unknown = await app.inject('/api/v1/rules?colour=red');
    expect(unknown.statusCode).toBe(400);
    const missing = await app.inject('/api/v1/nothing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('creates a manual rule, and maps a guard rejection to 422', async () => {
    const app = buildApi(ports());
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { target: '203.0.113.9', intent: 'drop', protocol: 17, port: 53 },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().rule.target).toBe('203.0.113.9');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { target: '10.1.1.1', intent: 'drop' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toEqual({
      code: 'rejected_by_guard',
      message: 'target 10.0.0.0/8 is private-use (RFC 1918)',
      details: { reason: 'special-purpose' },
    });
  });

  it('rejects malformed bodies with a clear message', async () => {
    const app = buildApi(ports());
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: { 'content-type': 'application/json' },
      payload: '{"target":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('invalid_request');
    const wrongIntent = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { target: '203.0.113.9', intent: 'nuke' },
    });
    expect(wrongIntent.statusCode).toBe(400);
    expect(wrongIntent.json().error.message).toMatch(/intent/);
    const extra = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { target: '203.0.113.9', intent: 'drop', sudo: true },
    });
    expect(extra.statusCode).toBe(400);
  });

  it('withdraws a rule and 404s an unknown one', async () => {
    const app = buildApi(ports());
    const res = await app.inject({ method: 'DELETE', url: '/api/v1/rules/r1' });
    expect(res.statusCode).toBe(200);
    expect(res.json().rule.state).toBe('withdrawn');
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/rules/nope' })).statusCode).toBe(404);
  });

  it('lists attacks and audit records with filters', async () => {
    const app = buildApi(ports());
    expect((await app.inject('/api/v1/attacks?active=true')).json().attacks).toHaveLength(1);
    const audit = (await app.inject('/api/v1/audit?ruleId=r1&action=announce')).json().records;
    expect(audit).toHaveLength(1);
    expect(audit[0].payload).toEqual({ a: 1 });
    expect((await app.inject('/api/v1/audit?action=explode')).statusCode).toBe(400);
  });

  it('requires the bearer token for writes when one is set', async () => {
    const app = buildApi(ports(), { token: 'tok' });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/rules',
          payload: { target: '203.0.113.9', intent: 'drop' },
        })
      ).statusCode,
    ).toBe(401);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: { authorization: 'Bearer tok' },
      payload: { target: '203.0.113.9', intent: 'drop' },
    });
    expect(ok.statusCode).toBe(201);
    expect((await app.inject('/api/v1/rules')).statusCode).toBe(200);
  });

  it('a failed config reload answers 422 and says why', async () => {
    const app = buildApi(ports());
    const res = await app.inject({ method: 'POST', url: '/api/v1/config/reload' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatch(/api.port/);
  });

  it('never answers 5xx to arbitrary query strings and bodies (fuzz)', async () => {
    const app = buildApi(ports());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/rules', '/api/v1/attacks', '/api/v1/audit'),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
        fc.jsonValue({ maxDepth: 3 }),
        async (path, query, body) => {
          const get = await app.inject({ method: 'GET', url: path, query });
          expect(get.statusCode).toBeLessThan(500);
          if (path === '/api/v1/rules') {
            const post = await app.inject({
              method: 'POST',
              url: path,
              payload: JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            });
            expect(post.statusCode).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
