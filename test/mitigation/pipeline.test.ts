// Scenario tests on the virtual clock, one per rule of issue 7, with the brief's numbers.
import { describe, expect, it } from 'vitest';
import { Rig, baseConfig } from './harness.js';

const T = '203.0.113.5/32';

describe('confidence gate and aggregation window', () => {
  it('a single router seeing 10x its threshold acts at once, not held back by the window', async () => {
    const rig = await new Rig().start();
    rig.event({ severity: 10, family: 'unknown', bps: 3e8 });
    await rig.settle();
    expect(rig.adapter.announces()).toHaveLength(1);
    expect(rig.adapter.announces()[0]?.at).toBe(rig.now());
    expect(rig.actions('announce')[0]).toMatchObject({ target: T, intent: 'rate-limit', level: 1 });
  });

  it('a weak single report waits for the window, then raises an alert only', async () => {
    const rig = await new Rig().start();
    const t0 = rig.now();
    rig.event({ severity: 3 });
    await rig.settle();
    expect(rig.decisions).toEqual([]);
    await rig.advance(10_000);
    expect(rig.actions('alert')).toHaveLength(1);
    expect(rig.actions('alert')[0]?.at).toBe(t0 + 2000);
    expect(rig.actions('alert')[0]?.reason).toMatch(/confidence 0\.59 .*below threshold 0\.65: alert only/);
    expect(rig.adapter.calls).toEqual([]);
  });

  it('reports from two nodes within the window collapse into one rule at the summed volume', async () => {
    const rig = await new Rig().start();
    rig.event({ node: 'r1', severity: 3, bps: 3e8 });
    await rig.advance(1000);
    expect(rig.adapter.calls).toEqual([]);
    rig.event({ node: 'r2', severity: 3, bps: 3e8 });
    await rig.settle();
    await rig.advance(5000);
    expect(rig.adapter.announces()).toHaveLength(1);
    expect(rig.actions('announce')[0]).toMatchObject({ level: 2, intent: 'drop' });
    expect(rig.actions('announce')[0]?.reason).toContain('2 node(s)');
    expect(rig.actions('alert')).toEqual([]);
  });

  it('below level 1 (100 Mbps) even a confident attack is alert only', async () => {
    const rig = await new Rig().start();
    rig.event({ severity: 20, bps: 9e7 });
    await rig.settle();
    expect(rig.actions('alert')[0]?.reason).toContain('below level 1');
    expect(rig.adapter.calls).toEqual([]);
  });

  it('outgoing attacks raise an alert only', async () => {
    const rig = await new Rig().start();
    rig.event({ direction: 'outgoing', bps: 9e9 });
    await rig.settle();
    expect(rig.actions('alert')).toHaveLength(1);
    expect(rig.adapter.calls).toEqual([]);
  });
});

describe('escalation policy (100 Mbps / 500 Mbps / 2 Gbps / 5 Gbps, hysteresis, cooldown)', () => {
  it('escalates through the four levels and steps down with hysteresis as the attack subsides', async () => {
    const rig = await new Rig().start();
    await rig.sustain({ bps: 1.5e8 }, 10_000);
    await rig.sustain({ bps: 6e8 }, 10_000);
    await rig.sustain({ bps: 2.5e9 }, 10_000);
    await rig.sustain({ bps: 6e9 }, 70_000);
    const ups = rig.decisions.filter((d) => ['announce', 'escalate'].includes(d.action) && d.adapter);
    expect(ups.map((d) => [d.action, d.intent, d.level])).toEqual([
      ['announce', 'rate-limit', 1],
      ['escalate', 'drop', 2],
      ['escalate', 'blackhole', 3],
      ['escalate', 'scrubbing', 4],
    ]);
    // 4.5 Gbps: below 5 Gbps but above 4 Gbps (5 Gbps less 20%): stays at scrubbing
    await rig.sustain({ bps: 4.5e9 }, 70_000);
    expect(rig.actions('de-escalate')).toEqual([]);
    await rig.sustain({ bps: 3.5e9 }, 10_000);
    expect(
      rig
        .actions('de-escalate')
        .filter((d) => d.adapter)
        .map((d) => [d.intent, d.level]),
    ).toEqual([['blackhole', 3]]);
    // within the cooldown (60 s at level 3) nothing changes even though 300 Mbps calls for level 1
    await rig.sustain({ bps: 3e8 }, 30_000);
    expect(rig.actions('de-escalate').filter((d) => d.adapter)).toHaveLength(1);
    await rig.sustain({ bps: 3e8 }, 40_000);
    expect(
      rig
        .actions('de-escalate')
        .filter((d) => d.adapter)
        .map((d) => d.level),
    ).toEqual([3, 1]);
    // one rule stands at any time
    expect(rig.active()).toHaveLength(1);
    expect(rig.active()[0]?.intent).toBe('rate-limit');
    // the blackhole route was withdrawn when rate-limit took over (different route)
    const withdrawn = rig.adapter.calls.filter((c) => c.op === 'withdraw').map((c) => c.rule.intent);
    expect(withdrawn).toContain('blackhole');
    expect(withdrawn).toContain('scrubbing');
  });

  it('uses the policy of the host group, with its own intents and pps thresholds', async () => {
    const rig = await new Rig(
      baseConfig({
        policies: {
          default: {},
          game: {
            levels: [
              { intent: 'rate-limit', pps: 1e4 },
              { intent: 'vrf-redirect', pps: 1e5 },
              { intent: 'blackhole', pps: 1e6 },
              { intent: 'scrubbing', pps: 1e7 },
            ],
          },
        },
        hostGroupPolicies: { gameservers: 'game' },
      }),
    ).start();
    rig.event({ hostGroup: 'gameservers', bps: 1e6, pps: 2e5 });
    await rig.settle();
    expect(rig.adapter.announces()[0]?.rule).toMatchObject({
      intent: 'vrf-redirect',
      level: 2,
      routeTarget: '65000:666',
    });
  });

  it('a dry-run policy logs and marks rules announced without any adapter call', async () => {
    const rig = await new Rig(
      baseConfig({ policies: { default: {}, lab: { dryRun: true } }, hostGroupPolicies: { lab: 'lab' } }),
    ).start();
    rig.event({ hostGroup: 'lab', bps: 6e8 });
    await rig.settle();
    expect(rig.adapter.calls).toEqual([]);
    expect(rig.active()[0]).toMatchObject({ state: 'announced', dryRun: true, intent: 'drop' });
    const [audit] = await rig.store.audit.query({ action: 'announce' });
    expect(audit).toMatchObject({ adapter: 'dry-run', dryRun: true });
    expect((audit?.payload as { text: string }).text).toContain(
      'flow4 dst 203.0.113.5/32 proto =17 dport =27015 then discard',
    );
  });
});

describe('guards on every path', () => {
  it('rejects auto rules on private, reserved, outside-tenant targets', async () => {
    const rig = await new Rig().start();
    for (const target of [
      '10.1.2.3/32',
      '192.168.1.1/32',
      '127.0.0.1/32',
      '224.0.0.5/32',
      '198.51.100.9/32',
      '8.8.8.8/32',
    ]) {
      rig.event({ target, bps: 9e9 });
    }
    await rig.settle();
    expect(rig.adapter.calls).toEqual([]);
    expect(rig.actions('reject')).toHaveLength(6);
  });

  it('rejects manual rules that break a guard, with a specific code', async () => {
    const rig = await new Rig().start();
    const r = rig.runner;
    expect(await r.addRule({ target: '10.0.0.1', intent: 'drop' }, 'api:bob')).toMatchObject({
      ok: false,
      code: 'special-purpose',
    });
    expect(await r.addRule({ target: '203.0.112.0/23', intent: 'blackhole' }, 'api:bob')).toMatchObject({
      ok: false,
    });
    expect(
      await r.addRule({ target: '203.0.113.0/25', intent: 'drop', tenant: 'ghost' }, 'api:bob'),
    ).toMatchObject({ ok: false, code: 'unknown-tenant' });
    expect(await r.addRule({ target: 'nonsense', intent: 'drop' }, 'api:bob')).toMatchObject({
      ok: false,
      code: 'invalid-target',
    });
    expect(await r.addRule({ target: T, intent: 'drop', port: 70000 }, 'api:bob')).toMatchObject({
      ok: false,
      code: 'invalid-match',
    });
    await rig.settle();
    expect(rig.adapter.calls).toEqual([]);
    expect((await rig.store.audit.query({ action: 'reject' })).every((a) => a.actor === 'api:bob')).toBe(
      true,
    );
  });

  it('a config reload withdraws rules that no longer pass and converts whitelisted drops', async () => {
    const rig = await new Rig().start();
    rig.event({ target: '203.0.113.5/32', bps: 6e8 });
    rig.event({ target: '203.0.113.200/32', bps: 6e8 });
    await rig.settle();
    expect(rig.active().map((r) => r.intent)).toEqual(['drop', 'drop']);
    const { parseMitigationConfig } = await import('../../src/mitigation/config.js');
    rig.runner.reloadConfig(
      parseMitigationConfig(
        baseConfig({
          tenants: { acme: { networks: ['203.0.113.0/25'] } },
          guards: { allowSpecialPurpose: ['203.0.113.0/24'], softWhitelist: [{ cidr: '203.0.113.0/28' }] },
        }),
      ),
      'config',
    );
    await rig.settle();
    const active = rig.active();
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({
      target: '203.0.113.5/32',
      intent: 'rate-limit',
      rateBytesPerSecond: 125_000_000,
    });
    const withdrawn = rig.adapter.calls.filter((c) => c.op === 'withdraw').map((c) => c.rule.target);
    expect(withdrawn).toContain('203.0.113.200/32');
  });

  it('soft-whitelist: an auto drop becomes a rate-limit at 1 Gbps', async () => {
    const rig = await new Rig(
      baseConfig({ guards: { softWhitelist: [{ cidr: '203.0.113.0/28' }] } }),
    ).start();
    rig.event({ bps: 2.5e9 });
    await rig.settle();
    expect(rig.adapter.announces()[0]?.rule).toMatchObject({
      intent: 'rate-limit',
      rateBytesPerSecond: 125_000_000,
      level: 3,
    });
    expect(rig.actions('announce')[0]?.reason).toContain('soft-whitelist 203.0.113.0/28');
  });

  it('RPKI-invalid: no blackhole announcement, the drop stays', async () => {
    const rig = await new Rig(baseConfig(), { validateOrigin: () => 'invalid' }).start();
    await rig.sustain({ bps: 6e8 }, 10_000);
    await rig.sustain({ bps: 3e9 }, 10_000);
    expect(rig.actions('reject')[0]?.reason).toContain('RPKI-invalid');
    expect(rig.adapter.announces().map((c) => c.rule.intent)).toEqual(['drop']);
    expect(rig.active()[0]?.intent).toBe('drop');
  });
});

describe('limits: rate window, cap, cooldown', () => {
  it('deploys 30 rules a minute per tenant; the excess waits in the queue and is never lost', async () => {
    const rig = await new Rig().start();
    for (let i = 1; i <= 40; i++) rig.event({ target: `203.0.113.${i}/32` });
    await rig.settle();
    expect(rig.adapter.announces()).toHaveLength(30);
    expect(rig.actions('queue')).toHaveLength(10);
    expect(rig.runner.listRules().queued).toHaveLength(10);
    const t0 = rig.now();
    // keep the attacks alive while they wait
    for (let k = 0; k < 13; k++) {
      for (let i = 1; i <= 40; i++) rig.event({ target: `203.0.113.${i}/32` });
      await rig.advance(5000);
    }
    expect(rig.adapter.announces()).toHaveLength(40);
    expect(rig.adapter.announces()[30]?.at).toBe(t0 + 60_000);
  });

  it('caps active rules per tenant; the next one waits for a slot', async () => {
    const rig = await new Rig(baseConfig({ limits: { maxActiveRulesPerTenant: 3 } })).start();
    for (let i = 1; i <= 4; i++) rig.event({ target: `203.0.113.${i}/32` });
    await rig.settle();
    expect(rig.active()).toHaveLength(3);
    expect(rig.actions('queue')[0]?.reason).toContain('cap: 3 active rules');
    // attacks 1-3 end; 4 goes on
    for (let k = 0; k < 70; k++) {
      rig.event({ target: '203.0.113.4/32' });
      await rig.advance(5000);
    }
    expect(rig.adapter.announces().map((c) => c.rule.target)).toContain('203.0.113.4/32');
    expect(rig.active().map((r) => r.target)).toEqual(['203.0.113.4/32']);
  });

  it('after a manual withdraw the auto rule stays off for the cooldown', async () => {
    const rig = await new Rig().start();
    rig.event();
    await rig.settle();
    const id = rig.active()[0]?.id as string;
    expect(await rig.runner.withdrawRule(id, 'api:alice', 'false positive')).toMatchObject({ ok: true });
    await rig.sustain({}, 55_000);
    expect(rig.adapter.announces()).toHaveLength(1);
    expect(rig.actions('reject')[0]?.reason).toContain('cooldown');
    await rig.sustain({}, 10_000);
    expect(rig.adapter.announces()).toHaveLength(2);
  });
});

describe('lifecycle: TTL, retries, failover, rollback', () => {
  it('refreshes the TTL while the attack lasts and withdraws 300 s after its last event', async () => {
    const rig = await new Rig().start();
    await rig.sustain({}, 600_000, 10_000);
    expect(rig.adapter.calls.filter((c) => c.op === 'withdraw')).toEqual([]);
    const lastUpdate = rig.now() - 10_000; // sustain's last event
    rig.event({ kind: 'end' });
    await rig.advance(400_000);
    const w = rig.adapter.calls.filter((c) => c.op === 'withdraw');
    expect(w).toHaveLength(1);
    expect(w[0]?.at).toBe(lastUpdate + 300_000);
  });

  it('retries a failed announcement with exponential backoff (1 s, 2 s, 4 s)', async () => {
    const rig = await new Rig().start();
    rig.adapter.failNext = 3;
    const t0 = rig.now();
    rig.event();
    await rig.settle();
    await rig.advance(20_000);
    expect(rig.adapter.announces().map((c) => c.at - t0)).toEqual([0, 1000, 3000, 7000]);
    expect(rig.active()[0]?.state).toBe('announced');
    expect((await rig.store.audit.query({ action: 'retry' })).length).toBe(3);
    expect((await rig.store.audit.query({ action: 'announce' }))[0]?.reason).toContain(
      'FAILED: session down',
    );
  });

  it('fails over to the healthiest adapter', async () => {
    const rig = await new Rig(baseConfig(), { adapters: 2 }).start();
    const [a, b] = rig.adapters as [typeof rig.adapter, typeof rig.adapter];
    a.status = 'down';
    rig.event({ target: '203.0.113.1/32' });
    await rig.settle();
    expect(b.announces()).toHaveLength(1);
    a.status = 'up';
    b.failAll = true;
    b.status = 'degraded';
    rig.event({ target: '203.0.113.2/32' });
    await rig.settle();
    expect(a.announces().map((c) => c.rule.target)).toEqual(['203.0.113.2/32']);
    a.failAll = true;
    rig.event({ target: '203.0.113.3/32' });
    await rig.settle();
    // a failed, b (the other candidate) was tried at once in the same attempt
    expect(b.announces().map((c) => c.rule.target)).toContain('203.0.113.3/32');
  });

  it('gives up after the last attempt and records why', async () => {
    const rig = await new Rig(baseConfig({ retry: { maxAttempts: 3 } })).start();
    rig.adapter.failAll = true;
    rig.event();
    await rig.settle();
    await rig.advance(30_000);
    expect(rig.adapter.announces()).toHaveLength(3);
    expect(rig.actions('reject').some((d) => d.reason.includes('announce failed after 3 attempt(s)'))).toBe(
      true,
    );
    expect(rig.active()).toEqual([]);
  });

  it('rolls back to a narrower rule when legitimate traffic collapses, and records why', async () => {
    const rig = await new Rig().start();
    rig.runner.reportLegitTraffic(T, 5e7);
    await rig.sustain(
      { bps: 3e9, signature: { protocols: [17], sourcePorts: [53], packetLength: { min: 1000, max: 1500 } } },
      10_000,
    );
    expect(rig.active()[0]?.intent).toBe('blackhole');
    rig.runner.reportLegitTraffic(T, 2e6);
    await rig.settle();
    const rb = rig.decisions.find((d) => d.action === 'rollback' && d.adapter);
    expect(rb).toMatchObject({ intent: 'drop', level: 2 });
    expect(rb?.reason).toMatch(
      /legitimate traffic to 203.0.113.5\/32 fell from 50.0 Mbps to 2.0 Mbps after rule .* \(blackhole\); blackhole replaced by a signature drop/,
    );
    const rule = rig.active()[0];
    expect(rule?.match.packetLength).toBeDefined();
    // escalation stays capped at the narrower level while the attack lasts
    await rig.sustain({ bps: 6e9 }, 10_000);
    expect(rig.active()[0]?.intent).toBe('drop');
    expect((await rig.store.audit.query({ action: 'rollback' })).length).toBeGreaterThan(0);
  });
});

describe('manual rules', () => {
  it('adds with target, intent, protocol, port, rate, TTL and level; lists; withdraws', async () => {
    const rig = await new Rig().start();
    const res = await rig.runner.addRule(
      {
        target: '203.0.113.9',
        intent: 'rate-limit',
        protocol: 17,
        port: [53, 123],
        rateBitsPerSecond: 8e6,
        ttlSeconds: 60,
        level: 1,
      },
      'cli',
    );
    expect(res.ok).toBe(true);
    await rig.settle();
    const [rule] = rig.active();
    expect(rule).toMatchObject({
      target: '203.0.113.9/32',
      origin: 'manual',
      rateBytesPerSecond: 1_000_000,
      level: 1,
      ttlSeconds: 60,
      state: 'announced',
    });
    expect(rule?.match.destinationPort?.map((t) => t.value)).toEqual([53, 123]);
    await rig.advance(61_000);
    expect(rig.active()).toEqual([]);
    expect(rig.actions('withdraw').find((d) => d.adapter)?.reason).toContain('manual rule of 60 s');
    expect(await rig.runner.withdrawRule('nope', 'cli')).toMatchObject({ ok: false, code: 'not-found' });
  });

  it('every decision lands in the audit log, with the adapter payload for sends', async () => {
    const rig = await new Rig().start();
    await rig.sustain({ bps: 6e8 }, 10_000);
    rig.event({ kind: 'end' });
    await rig.advance(400_000);
    const audit = await rig.store.audit.query({ limit: 10_000 });
    expect(audit.length).toBe(rig.decisions.length);
    const sends = audit.filter((a) => a.action === 'announce' || a.action === 'withdraw');
    expect(sends.length).toBe(2);
    expect(sends.every((a) => a.adapter === 'bgp1' && a.payload !== undefined)).toBe(true);
  });
});

describe('target spelling', () => {
  it('a bare address and its /32 are one target; a prefix with host bits set is refused, not broadened', async () => {
    const rig = await new Rig().start();
    rig.event({ target: '203.0.113.5/32', node: 'r1' });
    rig.event({ target: '203.0.113.5', node: 'r2' });
    rig.event({ target: '203.0.113.5/24', node: 'r3' });
    await rig.settle();
    // r2 corroborates r1 (the summed 600 Mbps escalates the one rule to level 2); r3 is refused
    expect(rig.active()).toHaveLength(1);
    expect(rig.active()[0]).toMatchObject({ target: '203.0.113.5/32', level: 2 });
    expect(rig.actions('reject')[0]).toMatchObject({
      target: '203.0.113.5/24',
      reason: 'target is not a prefix',
    });
  });
});
