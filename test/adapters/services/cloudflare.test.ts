// Contract test: CloudflareAdapter against a local model of the Cloudflare API (method, path, auth, body,
// envelope), including 429 + Retry-After, auth failure, 5xx and a shared covering prefix.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudflareAdapter } from '../../../src/adapters/cloudflare/adapter.js';
import { cloudflareConfigSchema } from '../../../src/adapters/config-services.js';
import { ContractServer, recordingSleep } from './contract-server.js';
import { cloudflareModel, type CfPrefixState } from './cloudflare-model.js';
import { makeRule } from './rule-fixture.js';

const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const TOKEN = 'cf-test-token';

describe('Cloudflare Magic Transit adapter (contract)', () => {
  let server: ContractServer;
  let prefixes: CfPrefixState[];
  let clock: ReturnType<typeof recordingSleep>;

  const adapter = (token = TOKEN, endpoint: 'prefix-status' | 'bgp-prefixes' = 'prefix-status') =>
    new CloudflareAdapter(
      cloudflareConfigSchema.parse({
        enabled: true,
        apiBase: server.baseUrl + '/client/v4',
        accountId: ACCOUNT,
        apiToken: token,
        endpoint,
        retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 500, maxRetryAfterMs: 5000 },
      }),
      { sleep: clock.sleep, random: () => 0.5 },
    );

  beforeEach(async () => {
    prefixes = [
      {
        id: '2af39739cc4e3b5910c918468bb89828',
        cidr: '203.0.113.0/24',
        advertised: false,
        on_demand_enabled: true,
      },
      {
        id: '7009ba364c7a5760798ceb430e603b74',
        cidr: '198.51.100.0/22',
        advertised: false,
        on_demand_enabled: true,
        bgp: [
          { id: 'bgp-22', cidr: '198.51.100.0/22', advertised: false },
          { id: 'bgp-101', cidr: '198.51.101.0/24', advertised: false },
        ],
      },
      {
        id: 'b0a5d1e3c2f44d6e8f9a0b1c2d3e4f50',
        cidr: '2001:db8:100::/48',
        advertised: false,
        on_demand_enabled: true,
      },
    ];
    server = new ContractServer(cloudflareModel({ accountId: ACCOUNT, token: TOKEN, prefixes }));
    await server.start('127.0.50.1');
    clock = recordingSleep();
  });
  afterEach(async () => server.stop());

  it('advertises the covering /24 on announce and withdraws it on withdrawal', async () => {
    const a = adapter();
    const rule = makeRule({ intent: 'scrubbing', level: 4, target: '203.0.113.5/32' });
    const res = await a.announce(rule);
    expect(res.error).toBeUndefined();
    expect(res.ok).toBe(true);
    expect(prefixes[0]!.advertised).toBe(true);
    const p = res.payload as Record<string, unknown>;
    expect(p.covering).toBe('203.0.113.0/24');
    expect(p.request).toMatchObject({
      method: 'PATCH',
      url: `${server.baseUrl}/client/v4/accounts/${ACCOUNT}/addressing/prefixes/2af39739cc4e3b5910c918468bb89828/bgp/status`,
      headers: { authorization: '[redacted]' },
      body: { advertised: true },
    });
    expect(await a.list()).toEqual([
      { ruleId: 'r-0001', target: '203.0.113.5/32', description: expect.stringContaining('203.0.113.0/24') },
    ]);
    expect(a.health().status).toBe('up');

    const w = await a.withdraw(rule);
    expect(w.ok).toBe(true);
    expect(prefixes[0]!.advertised).toBe(false);
    expect(await a.list()).toEqual([]);
    expect(server.violations).toEqual([]);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET', 'GET', 'PATCH', 'GET']);
  });

  it('maps a target to the most specific onboarded prefix holding it (a /22 is advertised whole) and IPv6 /48', async () => {
    const a = adapter();
    const r4 = await a.announce(makeRule({ id: 'r-22', intent: 'scrubbing', target: '198.51.101.9/32' }));
    expect(r4.ok).toBe(true);
    expect((r4.payload as Record<string, unknown>).cidr).toBe('198.51.100.0/22');
    const r6 = await a.announce(
      makeRule({ id: 'r-6', intent: 'scrubbing', target: '2001:db8:100:7::5/128' }),
    );
    expect(r6.ok).toBe(true);
    expect((r6.payload as Record<string, unknown>).covering).toBe('2001:db8:100::/48');
    expect(prefixes[1]!.advertised && prefixes[2]!.advertised).toBe(true);
    expect(server.violations).toEqual([]);
  });

  it('keeps a prefix advertised while another active rule still needs it', async () => {
    const a = adapter();
    const r1 = makeRule({ id: 'r-1', intent: 'scrubbing', target: '203.0.113.5/32' });
    const r2 = makeRule({ id: 'r-2', intent: 'scrubbing', target: '203.0.113.77/32' });
    expect((await a.announce(r1)).ok).toBe(true);
    expect((await a.announce(r2)).ok).toBe(true);
    const w1 = await a.withdraw(r1);
    expect(w1.ok).toBe(true);
    expect((w1.payload as Record<string, unknown>).kept).toContain('r-2');
    expect(prefixes[0]!.advertised).toBe(true);
    expect((await a.withdraw(r2)).ok).toBe(true);
    expect(prefixes[0]!.advertised).toBe(false);
  });

  it('retries 429 after the Retry-After delay and 5xx with backoff, then succeeds', async () => {
    const a = adapter();
    const patch = (r: { method: string }) => r.method === 'PATCH';
    server.inject(
      {
        when: patch,
        status: 429,
        headers: { 'retry-after': '2' },
        body: {
          success: false,
          errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }],
          messages: [],
          result: null,
        },
      },
      { when: patch, status: 502, body: 'bad gateway' },
    );
    const res = await a.announce(makeRule({ intent: 'scrubbing' }));
    expect(res.ok).toBe(true);
    expect(clock.waits[0]).toBe(2000); // Retry-After in seconds
    expect(clock.waits[1]).toBe(10); // base 10 ms · 2^1 · jitter 0.5
    const attempts = (res.payload as { attempts: { status: number }[] }).attempts.map((x) => x.status);
    expect(attempts).toEqual([429, 502, 200]);
  });

  it('does not retry an auth failure and reports health down', async () => {
    const a = adapter('wrong-token');
    const res = await a.announce(makeRule({ intent: 'scrubbing' }));
    expect(res.ok).toBe(false);
    expect(res.retryable).toBe(false);
    expect(res.error).toContain('Authentication error');
    expect(server.requests).toHaveLength(1);
    expect(a.health().status).toBe('down');
    expect((await a.test()).status).toBe('down');
  });

  it('gives up after the attempt budget on persistent 503 and marks the result retryable', async () => {
    const a = adapter();
    for (let i = 0; i < 4; i++)
      server.inject({
        when: (r) => r.method === 'PATCH',
        status: 503,
        body: {
          success: false,
          errors: [{ code: 10001, message: 'service unavailable' }],
          messages: [],
          result: null,
        },
      });
    const res = await a.announce(makeRule({ intent: 'scrubbing' }));
    expect(res.ok).toBe(false);
    expect(res.retryable).toBe(true);
    expect(res.error).toContain('service unavailable');
    expect(a.health().status).toBe('degraded');
    expect(prefixes[0]!.advertised).toBe(false);
  });

  it('times out a stalled request and retries it', async () => {
    const a = adapter();
    server.inject({ when: (r) => r.method === 'PATCH', status: 200, delayMs: 1500, body: {} });
    const res = await a.announce(makeRule({ intent: 'scrubbing' }));
    expect(res.ok).toBe(true);
    const attempts = (res.payload as { attempts: { failure?: string }[] }).attempts;
    expect(attempts[0]!.failure).toBe('timeout');
  });

  it('refuses a target no onboarded prefix holds and intents other than scrubbing, without a PATCH', async () => {
    const a = adapter();
    const none = await a.announce(makeRule({ intent: 'scrubbing', target: '192.0.2.200/32' }));
    expect(none.ok).toBe(false);
    expect(none.error).toContain('no onboarded');
    const bh = await a.announce(makeRule({ intent: 'blackhole' }));
    expect(bh.ok).toBe(false);
    expect(bh.error).toContain('scrubbing');
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('reports a 200 with success=false as a failure', async () => {
    const a = adapter();
    prefixes[0]!.on_demand_enabled = true;
    server.inject({
      when: (r) => r.method === 'PATCH',
      status: 200,
      body: { success: false, errors: [{ code: 1001, message: 'locked' }], messages: [], result: null },
    });
    const res = await a.announce(makeRule({ intent: 'scrubbing' }));
    expect(res.ok).toBe(false);
    expect(res.error).toContain('locked');
  });

  it('bgp-prefixes mode advertises only the covering /24 BGP prefix of a larger onboarded prefix', async () => {
    const a = adapter(TOKEN, 'bgp-prefixes');
    const rule = makeRule({ id: 'r-24', intent: 'scrubbing', target: '198.51.101.9/32' });
    const res = await a.announce(rule);
    expect(res.error).toBeUndefined();
    const bgp = prefixes[1]!.bgp!;
    expect(bgp.map((b) => b.advertised)).toEqual([false, true]);
    expect(prefixes[1]!.advertised).toBe(false); // the /22 itself stays withdrawn
    expect(res.payload).toMatchObject({
      bgpPrefixId: 'bgp-101',
      bgpCidr: '198.51.101.0/24',
      request: { method: 'PATCH', body: { on_demand: { advertised: true } } },
    });
    expect(await a.list()).toEqual([
      { ruleId: 'r-24', target: '198.51.101.9/32', description: expect.stringContaining('bgp-101') },
    ]);
    expect((await a.withdraw(rule)).ok).toBe(true);
    expect(bgp.map((b) => b.advertised)).toEqual([false, false]);
    // a target whose IP prefix has no BGP prefix for it is refused, not widened
    const none = await a.announce(makeRule({ id: 'r-x', intent: 'scrubbing', target: '203.0.113.5/32' }));
    expect(none.ok).toBe(false);
    expect(none.error).toContain('no BGP prefix');
    expect(server.violations).toEqual([]);
  });
});
