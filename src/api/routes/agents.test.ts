// Host agent enrolment and reports over the API (fastify inject on the fixture's SQLite store): the key is
// shown once and stored only as its SHA-256; an agent key may report and do nothing else; a report's events
// become engine events with the agent's enrolled name as node, targets outside its networks refused; its
// samples reach the captures keyed like the sFlow tap; the answer carries the rules the engine announced
// through the agents adapter that the agent's networks and allow-list admit; revocation stops the key.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentsAdapter } from '../../agent/adapter.js';
import { AgentHub } from '../../agent/hub.js';
import { agentsConfigSchema } from '../../agent/config.js';
import { AgentRegistry, REGISTRY_KEY } from '../../agent/registry.js';
import { agentsWiring } from '../../app/agents-wiring.js';
import type { AttackEvent } from '../../domain/attack.js';
import type { Rule } from '../../domain/rule.js';
import { sampleRule } from '../../domain/sample-rule.js';
import { buildApi } from '../server.js';
import { bearer, type Fixture, openFixture, secretOf } from '../testing.js';

const OWNER = bearer(secretOf('owner', null));

function event(target: string, kind: 'start' | 'end' = 'start') {
  return {
    attackId: `in:${target}:1700000000000`,
    kind,
    target,
    direction: 'incoming',
    family: 'udp_flood',
    reason: 'host pps over 1000',
    node: 'whatever-the-agent-says',
    hostGroup: 'default',
    at: 1_700_000_001_000,
    startedAt: 1_700_000_000_000,
    pps: 20_000,
    bps: 1e7,
    peakPps: 20_000,
    peakBps: 1e7,
    thresholdPps: 1000,
    severity: 20,
    signature: { protocols: [17], destinationPorts: [9], coverage: 1 },
  };
}

/** An Ethernet + IPv4 + UDP header to `dst`. */
function frame(dst: number[]): string {
  const f = new Uint8Array(42);
  f[12] = 0x08;
  f[14] = 0x45;
  new DataView(f.buffer).setUint16(16, 28);
  f[23] = 17;
  f.set([192, 0, 2, 1], 26);
  f.set(dst, 30);
  return Buffer.from(f).toString('base64');
}

const rule = (id: string, target: string, intent: Rule['intent']): Rule =>
  sampleRule(id, {
    tenant: 'redcorp',
    target,
    intent,
    level: 2,
    actions: [],
    createdAt: 1,
    expiresAt: 2,
    reason: 'r',
    dryRun: false,
  });

describe('/api/v1/agents', () => {
  let fx: Fixture;
  let events: AttackEvent[];
  let samples: unknown[][];
  let hub: AgentHub;
  let registry: AgentRegistry;
  let app: ReturnType<typeof buildApi>;

  beforeEach(async () => {
    fx = await openFixture();
    events = [];
    samples = [];
    registry = new AgentRegistry(fx.store.state, 5);
    hub = new AgentHub(
      { maxEventsPerReport: 2, maxSamplesPerReport: 10, staleSeconds: 30 },
      { event: (e) => events.push(e), sample: (...a) => samples.push(a) },
    );
    app = buildApi({ ...fx.ports, agents: { registry, hub } });
  });
  afterEach(async () => {
    await app.close();
    await fx.close();
  });

  async function enrol(name: string, allow = ['drop']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: OWNER,
      payload: { name, networks: ['203.0.113.0/24', '2001:db8:bad::/48'], allow },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { agent: { id: string; name: string }; key: string };
  }

  const report = (key: string, body: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/agents/report',
      headers: bearer(key),
      payload: { seq: 1, sentAt: 1_700_000_001_000, version: 't', samplingRate: 10, ...body },
    });

  it('shows the key once and stores only its SHA-256; names are unique among active agents', async () => {
    const { agent, key } = await enrol('web1');
    expect(key).toMatch(/^fga_[A-Za-z0-9_-]{43}$/);
    const stored = (await fx.store.state.get(REGISTRY_KEY))!;
    expect(stored).not.toContain(key);
    expect(stored).toContain(createHash('sha256').update(key).digest('hex'));
    const list = await app.inject({ url: '/api/v1/agents', headers: OWNER });
    expect(list.body).not.toContain(key);
    expect(list.json().agents.map((a: { name: string }) => a.name)).toEqual(['fixture-agent', 'web1']);
    const dup = await app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: OWNER,
      payload: { name: 'web1', networks: ['203.0.113.0/24'] },
    });
    expect(dup.statusCode).toBe(409);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: OWNER,
      payload: { name: 'web2', networks: ['203.0.113.1/24'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
    const audit = await fx.store.audit.query({ limit: 100 });
    expect(audit.some((a) => a.reason.includes('host agent "web1" enrolled'))).toBe(true);
    expect(agent.name).toBe('web1');
  });

  it('an agent key reports and does nothing else; API tokens cannot report', async () => {
    const { key } = await enrol('web1');
    expect((await app.inject({ url: '/api/v1/rules', headers: bearer(key) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/agents', headers: bearer(key) })).statusCode).toBe(403);
    const asOwner = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/report',
      headers: OWNER,
      payload: { seq: 1, sentAt: 1, version: 't', samplingRate: 1 },
    });
    expect(asOwner.statusCode).toBe(403);
    expect((await report('fga_nope', {})).statusCode).toBe(401);
    const adminBound = await app.inject({
      url: '/api/v1/agents',
      headers: bearer(secretOf('admin', 'redcorp')),
    });
    expect(adminBound.statusCode).toBe(403);
  });

  it('turns events into engine events of node = agent name; refuses targets outside its networks', async () => {
    const { key } = await enrol('web1');
    const res = await report(key, {
      events: [event('203.0.113.9/32'), event('198.51.100.9/32'), event('2001:db8:bad::9/128')],
    });
    expect(res.statusCode, res.body).toBe(200);
    const a = res.json();
    expect(a.agent).toBe('web1');
    expect(a.accepted).toBe(1);
    // the third is over maxEventsPerReport (2), the second outside the networks
    expect(a.refused.map((r: { index: number }) => r.index)).toEqual([1, 2]);
    expect(a.refused[0].reason).toContain('outside');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      node: 'web1',
      target: '203.0.113.9/32',
      attackId: 'in:203.0.113.9/32:1700000000000@web1',
      family: 'udp_flood',
    });
    const bad = await report(key, { events: [{ ...event('203.0.113.9/32'), family: 'nonsense' }] });
    expect(bad.statusCode).toBe(400);
    const list = await app.inject({ url: '/api/v1/agents', headers: OWNER });
    const st = list.json().agents.find((x: { name: string }) => x.name === 'web1').status;
    expect(st).toMatchObject({ reports: 1, eventsAccepted: 1, eventsRefused: 2, stale: false });
  });

  it('takes IPv6 events and samples (the capture key of an IPv6 destination is its text)', async () => {
    const { key } = await enrol('web6');
    const f = new Uint8Array(14 + 48);
    f[12] = 0x86;
    f[13] = 0xdd;
    new DataView(f.buffer).setUint32(14, 0x60000000);
    f[14 + 6] = 17;
    f.set([0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad], 14 + 24);
    f[14 + 39] = 9;
    const res = await report(key, {
      events: [event('2001:db8:bad::9/128')],
      samples: [{ at: 1_700_000_000_500, link: 1, data: Buffer.from(f).toString('base64'), origLen: 62 }],
    });
    expect(res.json()).toMatchObject({ accepted: 1, refused: [], samples: 1 });
    expect(events[0]).toMatchObject({ target: '2001:db8:bad::9/128', node: 'web6' });
    expect(samples[0]![0]).toBe('2001:db8:bad::9');
  });

  it('hands samples inside its networks to the captures keyed like the sFlow tap', async () => {
    const { key } = await enrol('web1');
    const res = await report(key, {
      samples: [
        { at: 1_700_000_000_500, link: 1, data: frame([203, 0, 113, 9]), origLen: 60 },
        { at: 1_700_000_000_600, link: 1, data: frame([198, 51, 100, 9]), origLen: 60 },
        { at: 1_700_000_000_700, link: 1, data: Buffer.from('nope').toString('base64'), origLen: 4 },
      ],
    });
    expect(res.json().samples).toBe(1);
    expect(samples).toHaveLength(1);
    const [k, data, at, link, orig, exporter, rate] = samples[0]!;
    expect(k).toBe(((203 << 24) | (113 << 8) | 9 | 0) >>> 0);
    expect((data as Uint8Array).length).toBe(42);
    expect([at, link, orig, exporter, rate]).toEqual([1_700_000_000_500, 1, 60, 'agent:web1', 10]);
    expect(hub.refusals).toMatchObject({ 'sample-outside-networks': 1, 'sample-not-ip': 1 });
  });

  it('answers with the rules the engine announced through the agents adapter that this agent may apply', async () => {
    const { key } = await enrol('web1', ['drop']);
    const adapter = new AgentsAdapter(registry, hub);
    expect((await adapter.announce(rule('r1', '203.0.113.9/32', 'drop'))).ok).toBe(true);
    const none = await adapter.announce(rule('r2', '198.51.100.9/32', 'drop'));
    expect(none).toMatchObject({ ok: false, retryable: false });
    expect(none.error).toContain('no enrolled agent covers');
    // fixture-agent allows drop only: a rate-limit rule has no taker either
    expect((await adapter.announce(rule('r3', '203.0.113.9/32', 'rate-limit'))).ok).toBe(false);
    let a = (await report(key, {})).json();
    expect(a.mitigations.map((r: Rule) => r.id)).toEqual(['r1']);
    expect(adapter.health().status).toBe('up');
    await adapter.withdraw(rule('r1', '203.0.113.9/32', 'drop'));
    a = (await report(key, {})).json();
    expect(a.mitigations).toEqual([]);
  });

  it('revocation stops the key at once and keeps the record', async () => {
    const { agent, key } = await enrol('web1');
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.id}`, headers: OWNER });
    expect(del.statusCode).toBe(200);
    expect(del.json().agent.revokedAt).toEqual(expect.any(Number));
    expect((await report(key, {})).statusCode).toBe(401);
    const again = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.id}`, headers: OWNER });
    expect(again.statusCode).toBe(404);
    const all = await app.inject({ url: '/api/v1/agents?revoked=true', headers: OWNER });
    expect(all.json().agents.find((x: { id: string }) => x.id === agent.id).revokedAt).not.toBeNull();
    // the name is free again
    await enrol('web1');
  });

  it('agents.mirror: also answers with the engine’s active rules on other adapters (not dry-run, announced)', async () => {
    const active = [
      rule('up1', '203.0.113.9/32', 'drop'),
      { ...rule('dry', '203.0.113.9/32', 'drop'), dryRun: true },
      { ...rule('failed', '203.0.113.9/32', 'drop'), state: 'failed' as const },
      rule('other', '198.51.100.9/32', 'drop'),
    ];
    for (const mirror of [false, true]) {
      const w = agentsWiring(
        agentsConfigSchema.parse({ enabled: true, mirror }),
        fx.store.state,
        () => undefined,
        () => active,
      );
      const agent = (await w.registry.list()).find((a) => a.name === 'fixture-agent')!;
      expect(w.hub.mitigationsFor(agent).map((r) => r.id)).toEqual(mirror ? ['up1'] : []);
    }
  });
});
