// Contract test: WebhookAdapter against a receiver that verifies the documented contract (docs/webhook.md):
// POST, JSON, bearer token, HMAC-SHA256 signature over "t.body", schema version 1, retries and errors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { WebhookAdapter } from '../../../src/adapters/webhook/adapter.js';
import { verify } from '../../../src/adapters/webhook/render.js';
import { webhookConfigSchema } from '../../../src/adapters/config-services.js';
import type { AttackEvent } from '../../../src/domain/attack.js';
import { ContractServer, recordingSleep, type Recorded, type Reply } from './contract-server.js';
import { makeRule } from './rule-fixture.js';

const SECRET = 'whsec_test_0123456789';
const TOKEN = 'receiver-token';
const NOW = 1_795_000_100_000;

const attack: AttackEvent = {
  attackId: 'a-42',
  kind: 'start',
  target: '203.0.113.5/32',
  direction: 'incoming',
  family: 'dns_amplification',
  reason: 'udp 3.1 Gbps from source port 53',
  node: 'edge-1',
  hostGroup: 'web',
  at: NOW - 5000,
  startedAt: NOW - 20_000,
  pps: 400_000,
  bps: 3.1e9,
  peakPps: 410_000,
  peakBps: 3.2e9,
  thresholdBps: 2e9,
  severity: 1.55,
  signature: { protocols: [17], sourcePorts: [53], coverage: 0.97 },
};

function receiver(r: Recorded, violations: string[]): Reply {
  if (r.method !== 'POST' || r.path !== '/hooks/floodgate')
    violations.push(`unexpected ${r.method} ${r.path}`);
  if (r.headers['authorization'] !== `Bearer ${TOKEN}`)
    return { status: 401, body: { error: 'unauthorized' } };
  if (r.headers['content-type'] !== 'application/json')
    violations.push('content-type is not application/json');
  const v = verify(SECRET, r.headers['x-floodgate-signature'], r.body, Math.floor(NOW / 1000));
  if (!v.ok) {
    violations.push(`signature ${v.reason}`);
    return { status: 400, body: { error: v.reason } };
  }
  if (r.headers['x-floodgate-timestamp'] !== String(v.timestamp))
    violations.push('timestamp header differs from signed t');
  const p = r.json as Record<string, unknown>;
  if (p.version !== 1) violations.push('version is not 1');
  if (p.event !== r.headers['x-floodgate-event']) violations.push('event header differs from body');
  if (p.id !== r.headers['x-floodgate-delivery']) violations.push('delivery header differs from body');
  if (p.event !== 'test' && (typeof p.rule !== 'object' || p.rule === null)) violations.push('rule missing');
  return { status: 204 };
}

describe('webhook adapter (contract)', () => {
  let server: ContractServer;
  let clock: ReturnType<typeof recordingSleep>;
  const adapter = (over: Record<string, unknown> = {}) =>
    new WebhookAdapter(
      webhookConfigSchema.parse({
        enabled: true,
        url: server.baseUrl + '/hooks/floodgate',
        secret: SECRET,
        authToken: TOKEN,
        headers: { 'X-Tenant': 'acme', 'Content-Type': 'text/plain' },
        retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100, timeoutMs: 400, maxRetryAfterMs: 10_000 },
        ...over,
      }),
      {
        sleep: clock.sleep,
        random: () => 1 - Number.EPSILON,
        now: () => NOW,
        newId: () => 'd-1',
        attackFor: (r) => (r.attackId === 'a-42' ? attack : undefined),
      },
    );

  beforeEach(async () => {
    server = new ContractServer(receiver);
    await server.start('127.0.50.2');
    clock = recordingSleep();
  });
  afterEach(async () => server.stop());

  it('delivers signed announce and withdraw events with the full rule and attack context', async () => {
    const a = adapter();
    const rule = makeRule();
    const res = await a.announce(rule);
    expect(res.error).toBeUndefined();
    expect(await a.list()).toEqual([
      { ruleId: 'r-0001', target: '203.0.113.5/32', description: 'drop announced by webhook' },
    ]);
    expect((await a.withdraw(rule)).ok).toBe(true);
    expect(await a.list()).toEqual([]);
    expect(server.violations).toEqual([]);
    const [ann, wd] = server.requests.map((r) => r.json as Record<string, unknown>);
    expect(ann).toEqual({
      version: 1,
      event: 'announce',
      id: 'd-1',
      sentAt: new Date(NOW).toISOString(),
      adapter: 'webhook',
      rule: JSON.parse(JSON.stringify(rule)),
      attack: JSON.parse(JSON.stringify(attack)),
    });
    expect(wd!.event).toBe('withdraw');
    // configured headers pass, but cannot override the protocol's content-type
    expect(server.requests[0]!.headers['x-tenant']).toBe('acme');
    // the audit payload carries the request with the token redacted
    expect(res.payload).toMatchObject({
      request: { method: 'POST', headers: { authorization: '[redacted]' }, body: { event: 'announce' } },
    });
    // the signature is exactly HMAC-SHA256(secret, "<t>.<body>")
    const r0 = server.requests[0]!;
    const t = Math.floor(NOW / 1000);
    expect(r0.headers['x-floodgate-signature']).toBe(
      `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${r0.body}`).digest('hex')}`,
    );
  });

  it('retries 429 (Retry-After) and 500 with the same delivery id, then succeeds', async () => {
    const a = adapter();
    server.inject({ status: 429, headers: { 'retry-after': '3' } }, { status: 500 });
    const res = await a.announce(makeRule());
    expect(res.ok).toBe(true);
    expect(clock.waits).toEqual([3000, 39]);
    expect(new Set(server.requests.map((r) => r.headers['x-floodgate-delivery']))).toEqual(new Set(['d-1']));
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry 401 and goes down; 400 is final too', async () => {
    const a = adapter({ authToken: 'nope' });
    const res = await a.announce(makeRule());
    expect(res).toMatchObject({ ok: false, retryable: false });
    expect(server.requests).toHaveLength(1);
    expect(a.health().status).toBe('down');
  });

  it('a wrong secret is caught by the receiver (signature mismatch)', async () => {
    const a = adapter({ secret: 'other' });
    const res = await a.announce(makeRule());
    expect(res.ok).toBe(false);
    expect(server.violations).toEqual(['signature mismatch']);
    server.violations.length = 0;
  });

  it('times out a stalled receiver, retries, and reports retryable failure after the budget', async () => {
    const a = adapter();
    server.inject(
      { status: 204, delayMs: 800 },
      { status: 204, delayMs: 800 },
      { status: 204, delayMs: 800 },
    );
    const res = await a.announce(makeRule());
    expect(res).toMatchObject({ ok: false, retryable: true });
    expect((res.payload as { attempts: { failure: string }[] }).attempts.map((x) => x.failure)).toEqual([
      'timeout',
      'timeout',
      'timeout',
    ]);
    expect(a.health().status).toBe('degraded');
  });

  it('test() sends a signed test event', async () => {
    const a = adapter();
    expect((await a.test()).status).toBe('up');
    expect((server.requests[0]!.json as { event: string; rule: unknown }).event).toBe('test');
    expect(server.violations).toEqual([]);
  });
});

describe('webhook signature verification', () => {
  it('rejects tampered bodies, stale timestamps and malformed headers', () => {
    const body = '{"a":1}';
    const t = 1_000_000;
    const mac = createHmac('sha256', 's').update(`${t}.${body}`).digest('hex');
    expect(verify('s', `t=${t},v1=${mac}`, body, t + 10)).toEqual({ ok: true, timestamp: t });
    expect(verify('s', `t=${t},v1=${mac}`, '{"a":2}', t)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify('s', `t=${t},v1=${mac}`, body, t + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verify('s', `v1=${mac}`, body, t)).toEqual({ ok: false, reason: 'malformed' });
    expect(verify('s', undefined, body, t)).toEqual({ ok: false, reason: 'malformed' });
    // several v1 values (secret rotation): any match passes
    expect(verify('s', `t=${t},v1=00,v1=${mac}`, body, t).ok).toBe(true);
  });
});
