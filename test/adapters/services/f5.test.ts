// Contract test: F5Adapter against a local iControl REST model: token login and renewal, Basic auth,
// DoS profile + virtual server per protocol/port in a partition, ordered removal, 409/404/503/401 handling.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { F5Adapter } from '../../../src/adapters/f5/adapter.js';
import { render } from '../../../src/adapters/f5/render.js';
import { f5ConfigSchema } from '../../../src/adapters/config-services.js';
import { ContractServer, recordingSleep } from './contract-server.js';
import { f5Model } from './f5-model.js';
import { makeRule } from './rule-fixture.js';
import { eq } from '../../support/rules.js';

describe('F5 BIG-IP adapter (contract)', () => {
  let server: ContractServer;
  let f5: ReturnType<typeof f5Model>;
  let clock: ReturnType<typeof recordingSleep>;
  const cfg = (over: Record<string, unknown> = {}) =>
    f5ConfigSchema.parse({
      enabled: true,
      baseUrl: server.baseUrl,
      username: 'floodgate',
      password: 's3cret',
      partition: 'Tenant_A',
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 1000, maxRetryAfterMs: 5000 },
      ...over,
    });
  const adapter = (over: Record<string, unknown> = {}) =>
    new F5Adapter(cfg(over), { sleep: clock.sleep, random: () => 0.5 });
  const rule = makeRule({
    id: 'r-7',
    intent: 'drop',
    match: {
      family: 4,
      destination: { prefix: '203.0.113.5/32' },
      ipProtocol: [eq(17)],
      destinationPort: [eq(53), eq(123)],
    },
  });

  async function start(basic = false) {
    f5 = f5Model({ user: 'floodgate', password: 's3cret', partition: 'Tenant_A', basic });
    server = new ContractServer(f5.model);
    await server.start('127.0.50.3');
  }
  beforeEach(async () => {
    clock = recordingSleep();
    await start();
  });
  afterEach(async () => server.stop());

  it('creates a DoS profile and one forwarding virtual server per protocol/port in the partition, then removes them', async () => {
    const a = adapter();
    const res = await a.announce(rule);
    expect(res.error).toBeUndefined();
    expect(server.violations).toEqual([]);
    const pname = '/Tenant_A/floodgate_r-7_' + (res.payload as { profile: string }).profile.slice(-6);
    expect([...f5.state.profiles.keys()]).toEqual([pname]);
    expect(f5.state.profiles.get(pname)).toMatchObject({
      description: 'floodgate r-7 203.0.113.5/32 drop',
      dosNetwork: [
        { networkAttackVector: [{ name: 'udp-flood', state: 'mitigate', rateLimit: 10, rateThreshold: 10 }] },
      ],
    });
    const vs = [...f5.state.virtuals.values()];
    expect(vs.map((v) => v.destination)).toEqual(['/Tenant_A/203.0.113.5:53', '/Tenant_A/203.0.113.5:123']);
    expect(vs[0]).toMatchObject({
      mask: '255.255.255.255',
      ipProtocol: 'udp',
      ipForward: true,
      source: '0.0.0.0/0',
      profiles: [{ name: '/Common/fastL4' }, { name: pname }],
    });
    // token auth: one login, then the token on every call; the audit never holds it
    expect(f5.state.logins).toBe(1);
    expect(server.requests.slice(1).every((r) => r.headers['x-f5-auth-token'] === 'TOKEN1')).toBe(true);
    expect(JSON.stringify(res.payload)).not.toContain('TOKEN1');
    expect(JSON.stringify(res.payload)).not.toContain('s3cret');
    expect(await a.list()).toEqual([
      { ruleId: 'r-7', target: '203.0.113.5/32', description: expect.stringContaining('drop') },
    ]);

    const w = await a.withdraw(rule);
    expect(w.error).toBeUndefined();
    expect(f5.state.virtuals.size + f5.state.profiles.size).toBe(0);
    const deletes = server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/')[3]);
    expect(deletes).toEqual(['ltm', 'ltm', 'security']); // virtual servers before the profile they use
    expect(await a.list()).toEqual([]);
    expect(server.violations).toEqual([]);
  });

  it('renders IPv6 destinations as address.port with a /128 mask, and rate-limit vectors from rateBytesPerSecond', () => {
    const r = render(
      makeRule({
        id: 'v6',
        target: '2001:db8::5/128',
        intent: 'rate-limit',
        rateBytesPerSecond: 1_000_000,
        match: { family: 6, ipProtocol: [eq(6)], destinationPort: [eq(443)] },
      }),
      cfg(),
    );
    const vs = r.announce[1]!.body!;
    expect(vs.destination).toBe('/Tenant_A/2001:db8::5.443');
    expect(vs.mask).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(vs.source).toBe('::/0');
    const vec = (
      r.announce[0]!.body!.dosNetwork as { networkAttackVector: { name: string; rateLimit: number }[] }[]
    )[0]!.networkAttackVector;
    expect(vec.map((v) => v.name)).toContain('tcp-syn-flood');
    expect(vec[0]!.rateLimit).toBe(2000); // 1 MB/s at 500-byte packets
  });

  it('refuses rules it cannot scope instead of widening them', () => {
    expect(() => render(makeRule({ intent: 'geo-lockdown' }), cfg())).toThrow(/geo-lockdown/);
    expect(() =>
      render(
        makeRule({
          match: {
            family: 4,
            ipProtocol: [eq(17)],
            destinationPort: [{ and: false, lt: false, gt: true, eq: true, value: 1024 }],
          },
        }),
        cfg(),
      ),
    ).toThrow(/virtual servers/);
  });

  it('re-announce PATCHes existing objects (409) instead of failing', async () => {
    const a = adapter();
    expect((await a.announce(rule)).ok).toBe(true);
    const again = await a.announce(rule);
    expect(again.error).toBeUndefined();
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(3);
    expect(f5.state.virtuals.size).toBe(2);
  });

  it('renews an expired token once and carries on', async () => {
    const a = adapter();
    expect((await a.announce(rule)).ok).toBe(true);
    f5.state.tokens.clear(); // the BIG-IP expired the token
    const w = await a.withdraw(rule);
    expect(w.error).toBeUndefined();
    expect(f5.state.logins).toBe(2);
  });

  it('a wrong password fails without retry and marks the adapter down', async () => {
    const a = adapter({ password: 'wrong' });
    const res = await a.announce(rule);
    expect(res).toMatchObject({ ok: false, retryable: false });
    expect(res.error).toContain('Authentication failed');
    expect(server.requests).toHaveLength(1);
    expect(a.health().status).toBe('down');
  });

  it('retries 503 (Retry-After) and 429 on a create, and reports exhaustion as retryable', async () => {
    const a = adapter();
    const post = (r: { method: string; path: string }) =>
      r.method === 'POST' && r.path === '/mgmt/tm/ltm/virtual';
    server.inject({ when: post, status: 503, headers: { 'retry-after': '1' } }, { when: post, status: 429 });
    const ok = await a.announce(rule);
    expect(ok.error).toBeUndefined();
    expect(clock.waits).toEqual([1000, 10]);
    for (let i = 0; i < 3; i++)
      server.inject({
        when: (r) => r.method === 'DELETE' && r.path.includes('/ltm/'),
        status: 500,
        body: { code: 500, message: 'internal', errorStack: [] },
      });
    const w = await a.withdraw(rule);
    expect(w).toMatchObject({ ok: false, retryable: true });
    expect(w.error).toContain('internal');
    expect(a.health().status).toBe('degraded');
    // a later withdraw finishes the job; already-deleted objects (404) count as done
    expect((await a.withdraw(rule)).ok).toBe(true);
    expect((await a.withdraw(rule)).ok).toBe(true);
    expect(f5.state.profiles.size).toBe(0);
  });

  it('works with HTTP Basic auth and a profile-only attachment', async () => {
    await server.stop();
    await start(true);
    const a = adapter({ auth: 'basic', attach: 'none' });
    expect((await a.announce(rule)).error).toBeUndefined();
    expect(f5.state.virtuals.size).toBe(0);
    expect(f5.state.profiles.size).toBe(1);
    expect((await a.test()).status).toBe('up');
    expect((await a.withdraw(rule)).ok).toBe(true);
    expect(server.violations).toEqual([]);
  });
});
