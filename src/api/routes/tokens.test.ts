// API tokens through the API: the secret is shown once and works as a bearer, is stored only hashed,
// revoking ends it; who may mint and revoke what; the audit names the token, never "api:token".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../auth.js';
import { buildApi } from '../server.js';
import { type Fixture, bearer, openFixture, secretOf } from '../testing.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
});
afterEach(() => fx.close());

const as = (role: Parameters<typeof secretOf>[0], tenant: Parameters<typeof secretOf>[1] = null) =>
  bearer(secretOf(role, tenant));

describe('API tokens', () => {
  it('creates a token whose secret is shown once, stored hashed, and works as a bearer', async () => {
    const app = buildApi(fx.ports);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: as('admin'),
      payload: { name: 'alice', role: 'operator', tenant: 'bluecorp' },
    });
    expect(res.statusCode).toBe(201);
    const { token, secret } = res.json() as { token: Record<string, unknown>; secret: string };
    expect(token).toMatchObject({
      name: 'alice',
      role: 'operator',
      tenant: 'bluecorp',
      createdBy: 'api:admin-global',
    });
    expect(Object.keys(token)).toEqual(expect.arrayContaining(['id', 'name', 'role', 'tenant', 'createdAt']));
    expect(secret).toMatch(/^fgt_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(token)).not.toContain(secret);
    expect(await fx.store.tokens.findActiveBySecretHash(hashSecret(secret))).toMatchObject({ name: 'alice' });
    const who = await app.inject({ url: '/api/v1/auth/whoami', headers: bearer(secret) });
    expect(who.json()).toEqual({ name: 'alice', role: 'operator', tenant: 'bluecorp' });
    // listing never shows secrets
    const list = await app.inject({ url: '/api/v1/tokens', headers: as('owner') });
    expect(list.body).not.toContain(secret);
    expect(list.json().tokens.map((t: { name: string }) => t.name)).toContain('alice');
    // the audit names who did it
    const [rec] = await fx.store.audit.query({ action: 'config', tenant: 'bluecorp' });
    expect(rec).toMatchObject({
      actor: 'api:admin-global',
      reason: expect.stringContaining('"alice" created'),
    });
  });

  it('a rule added with a named token is audited under its name', async () => {
    const app = buildApi(fx.ports);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: as('operator', 'bluecorp'),
      payload: { target: '198.51.100.9', intent: 'drop' },
    });
    expect(res.statusCode).toBe(201);
    const [rec] = await fx.store.audit.query({ ruleId: res.json().rule.id });
    expect(rec?.actor).toBe('api:operator-bluecorp');
  });

  it('revoking ends the token at once', async () => {
    const app = buildApi(fx.ports);
    const del = await app.inject({
      method: 'DELETE',
      url: '/api/v1/tokens/tok-operator-global',
      headers: as('admin'),
    });
    expect(del.statusCode).toBe(200);
    expect(del.json().token.revokedAt).toEqual(expect.any(Number));
    expect((await app.inject({ url: '/api/v1/rules', headers: as('operator') })).statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: '/api/v1/tokens/tok-operator-global',
          headers: as('admin'),
        })
      ).statusCode,
    ).toBe(404);
    const revoked = await app.inject({ url: '/api/v1/tokens?revoked=true', headers: as('owner') });
    expect(
      revoked.json().tokens.find((t: { id: string }) => t.id === 'tok-operator-global').revokedAt,
    ).not.toBeNull();
  });

  it('nobody mints or revokes a token above their own role; admins do not mint owners', async () => {
    const app = buildApi(fx.ports);
    const mint = (headers: Record<string, string>, payload: object) =>
      app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload });
    expect((await mint(as('admin'), { name: 'boss', role: 'owner' })).statusCode).toBe(403);
    expect((await mint(as('owner'), { name: 'boss', role: 'owner' })).statusCode).toBe(201);
    expect((await mint(as('operator'), { name: 'x', role: 'readonly' })).statusCode).toBe(403);
    expect((await mint(as('owner'), { name: 'o2', role: 'owner', tenant: 'bluecorp' })).statusCode).toBe(400);
    expect((await mint(as('owner'), { name: 'ghost', role: 'readonly', tenant: 'nobody' })).statusCode).toBe(
      400,
    );
    expect((await mint(as('owner'), { name: 'config', role: 'readonly' })).statusCode).toBe(400);
    const dup = await mint(as('owner'), { name: 'admin-global', role: 'readonly' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('conflict');
    const revokeOwner = await app.inject({
      method: 'DELETE',
      url: '/api/v1/tokens/tok-owner-global',
      headers: as('admin'),
    });
    expect(revokeOwner.statusCode).toBe(403);
  });

  it('a tenant-bound admin manages its own tenant only', async () => {
    const app = buildApi(fx.ports);
    const headers = as('admin', 'bluecorp');
    const own = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers,
      payload: { name: 'b2', role: 'readonly' },
    });
    expect(own.statusCode).toBe(201);
    expect(own.json().token.tenant).toBe('bluecorp');
    const other = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers,
      payload: { name: 'r2', role: 'readonly', tenant: 'redcorp' },
    });
    expect(other.statusCode).toBe(403);
    const list = (await app.inject({ url: '/api/v1/tokens', headers })).json().tokens as { tenant: string }[];
    expect(list.every((t) => t.tenant === 'bluecorp')).toBe(true);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/tokens/tok-readonly-redcorp', headers }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/tokens/tok-readonly-global', headers })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/tokens/tok-readonly-bluecorp', headers }))
        .statusCode,
    ).toBe(200);
  });

  it("a token's own rate limit replaces the default", async () => {
    const app = buildApi(fx.ports, { rateLimit: { max: 100, timeWindowMs: 60_000 } });
    const made = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: as('owner'),
      payload: { name: 'script', role: 'readonly', rateLimit: 2 },
    });
    const headers = bearer(made.json().secret as string);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ url: '/api/v1/rules', headers })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
  });

  it('verifies the audit chain through the API (unbound tokens only)', async () => {
    const app = buildApi(fx.ports);
    const res = await app.inject({ url: '/api/v1/audit/verify', headers: as('readonly') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, records: 3, problems: [] });
    expect(
      (await app.inject({ url: '/api/v1/audit/verify', headers: as('admin', 'redcorp') })).statusCode,
    ).toBe(403);
  });
});
