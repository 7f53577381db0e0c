// Contract test: RadwareAdapter against a local DefenseFlow/Vision model: session login and renewal, Basic
// auth, attackstart/attackstop bodies per target/protocol/port, 429/5xx retries, auth failure.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RadwareAdapter } from '../../../src/adapters/radware/adapter.js';
import { render } from '../../../src/adapters/radware/render.js';
import { radwareConfigSchema } from '../../../src/adapters/config-services.js';
import { ContractServer, recordingSleep } from './contract-server.js';
import { radwareModel } from './radware-model.js';
import { makeRule } from './rule-fixture.js';
import { eq } from '../../support/rules.js';

describe('Radware DefenseFlow adapter (contract)', () => {
  let server: ContractServer;
  let df: ReturnType<typeof radwareModel>;
  let clock: ReturnType<typeof recordingSleep>;
  const adapter = (over: Record<string, unknown> = {}) =>
    new RadwareAdapter(
      radwareConfigSchema.parse({
        enabled: true,
        baseUrl: server.baseUrl,
        username: 'radware',
        password: 'pw',
        retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 1000, maxRetryAfterMs: 5000 },
        ...over,
      }),
      { sleep: clock.sleep, random: () => 0.5 },
    );
  async function start(basic = false) {
    df = radwareModel({ user: 'radware', password: 'pw', basic });
    server = new ContractServer(df.model);
    await server.start('127.0.50.4');
  }
  beforeEach(async () => {
    clock = recordingSleep();
    await start();
  });
  afterEach(async () => server.stop());

  it('starts an external attack for the target with protocol and ports, and stops it on withdrawal', async () => {
    const a = adapter();
    const rule = makeRule({
      id: 'r-9',
      match: {
        family: 4,
        destination: { prefix: '203.0.113.5/32' },
        ipProtocol: [eq(17)],
        destinationPort: [eq(53)],
      },
    });
    const res = await a.announce(rule);
    expect(res.error).toBeUndefined();
    expect(df.state.attacks.get('floodgate-r-9')).toEqual({
      externalAttackId: 'floodgate-r-9',
      alertInfo: expect.stringMatching(/^floodgate drop 203\.0\.113\.5\/32 proto=17 dport=53: /),
      networksDetails: { networks: [{ ip: '203.0.113.5', prefix: 32 }] },
    });
    expect(server.requests[1]!.headers['cookie']).toBe('JSESSIONID=JS1');
    expect(JSON.stringify(res.payload)).not.toContain('JS1');
    expect(await a.list()).toEqual([
      { ruleId: 'r-9', target: '203.0.113.5/32', description: expect.stringContaining('floodgate-r-9') },
    ]);
    expect((await a.withdraw(rule)).ok).toBe(true);
    expect(df.state.attacks.size).toBe(0);
    expect(await a.list()).toEqual([]);
    // stopping again: DefenseFlow no longer knows it, which is what we want
    expect((await a.withdraw(rule)).ok).toBe(true);
    expect(server.violations).toEqual([]);
    expect(df.state.logins).toBe(1);
  });

  it('renders IPv6 targets as ip + prefix length', () => {
    const r = render(makeRule({ target: '2001:db8:5::/48', match: { family: 6 } }), {
      attackIdPrefix: 'fg-',
    });
    expect(r.start.body.networksDetails).toEqual({ networks: [{ ip: '2001:db8:5::', prefix: 48 }] });
    expect(() => render(makeRule({ intent: 'synproxy' }), { attackIdPrefix: 'fg-' })).toThrow(/synproxy/);
  });

  it('logs in again when the session expired', async () => {
    const a = adapter();
    expect((await a.announce(makeRule())).ok).toBe(true);
    df.state.sessions.clear();
    expect((await a.withdraw(makeRule())).ok).toBe(true);
    expect(df.state.logins).toBe(2);
  });

  it('bad credentials: one attempt, not retryable, health down', async () => {
    const a = adapter({ password: 'nope' });
    const res = await a.announce(makeRule());
    expect(res).toMatchObject({ ok: false, retryable: false });
    expect(res.error).toContain('Invalid Username');
    expect(server.requests).toHaveLength(1);
    expect(a.health().status).toBe('down');
  });

  it('retries 429 and 5xx, then gives up as retryable', async () => {
    const a = adapter();
    const start = (r: { path: string }) => r.path.endsWith('/attackstart');
    server.inject(
      { when: start, status: 429, headers: { 'retry-after': '2' } },
      { when: start, status: 500, body: { status: 'error', message: 'busy' } },
    );
    expect((await a.announce(makeRule())).ok).toBe(true);
    expect(clock.waits).toEqual([2000, 10]);
    for (let i = 0; i < 3; i++) server.inject({ when: (r) => r.path.endsWith('/attackstop'), status: 502 });
    const w = await a.withdraw(makeRule());
    expect(w).toMatchObject({ ok: false, retryable: true });
    expect(df.state.attacks.size).toBe(1);
  });

  it('supports HTTP Basic instead of a session, and test() lists protected objects', async () => {
    await server.stop();
    await start(true);
    const a = adapter({ auth: 'basic' });
    expect((await a.test()).status).toBe('up');
    expect((await a.announce(makeRule())).ok).toBe(true);
    expect(server.requests.every((r) => r.path !== '/mgmt/system/user/login')).toBe(true);
    expect(server.violations).toEqual([]);
  });
});
