// Runner-level scenarios: one rule per route (issue 19 item 4), the fallback decision trail and the audit
// of a replaced rule (issue 10 items 1 and 7).
import { describe, expect, it } from 'vitest';
import { Rig, RecordingAdapter, baseConfig } from './harness.js';

describe('one rule per route', () => {
  it('two attacked hosts of one /24 share one scrubbing diversion; the second is covered, not duplicated', async () => {
    const rig = await new Rig(baseConfig()).start();
    rig.event({ target: '203.0.113.5/32', bps: 8e9 });
    await rig.settle();
    rig.event({ target: '203.0.113.6/32', bps: 8e9 });
    await rig.settle();
    const active = rig.active();
    expect(active.map((r) => `${r.intent} ${r.target}`)).toEqual(['scrubbing 203.0.113.0/24']);
    expect(rig.adapter.announces()).toHaveLength(1);
    expect(rig.actions('refresh').some((d) => d.reason.includes('covered by rule'))).toBe(true);
    // the second host's events keep the shared rule alive after the first host's attack has gone quiet
    await rig.sustain({ target: '203.0.113.6/32', bps: 8e9 }, 400_000, 20_000);
    expect(rig.active().map((r) => r.target)).toEqual(['203.0.113.0/24']);
  });

  it('an auto rule takes over the route of a manual rule with the same NLRI, in place and audited', async () => {
    const rig = await new Rig(baseConfig()).start();
    const manual = await rig.runner.addRule(
      { target: '203.0.113.5', intent: 'drop', protocol: 17, port: 27015 },
      'api:alice',
    );
    await rig.settle();
    expect(manual.ok).toBe(true);
    const manualId = manual.ok ? manual.rule.id : '';
    rig.event({ bps: 6e8 }); // level 2: a drop of exactly the same match
    await rig.settle();
    const active = rig.active();
    expect(active).toHaveLength(1);
    expect(active[0]?.origin).toBe('auto');
    const audit = await rig.store.audit.query({ ruleId: manualId });
    expect(audit.some((r) => r.action === 'withdraw' && /replaced in place/.test(r.reason))).toBe(true);
    // a manual duplicate of the auto rule's route is refused
    const dup = await rig.runner.addRule(
      { target: '203.0.113.5', intent: 'rate-limit', protocol: 17, port: 27015 },
      'api:bob',
    );
    expect(dup).toMatchObject({ ok: false, code: 'duplicate-route' });
  });
});

describe('fallback and the audit of replaced rules', () => {
  it('first seen above 5 Gbps with adapters that carry only FlowSpec: the drop, with an alert saying why', async () => {
    const box: { rig?: Rig } = {};
    const only = new RecordingAdapter('flowspec-only', { now: () => box.rig?.now() ?? 0 }, [
      'rate-limit',
      'drop',
    ]);
    const rig = new Rig(baseConfig(), { reuse: [only] });
    box.rig = rig;
    await rig.start();
    rig.event({ bps: 8e9 });
    await rig.settle();
    expect(rig.active().map((r) => `${r.level} ${r.intent}`)).toEqual(['2 drop']);
    const alert = rig.actions('alert')[0];
    expect(alert?.reason).toMatch(/level 4 \(scrubbing\) cannot be carried for IPv4/);
    expect(alert?.reason).toMatch(/level 3 \(blackhole\) cannot be carried/);
    expect(alert?.reason).toMatch(/falling back to level 2 \(drop\)/);
    expect(rig.actions('announce')[0]?.reason).toMatch(/fallback to level 2/);
  });

  it("the withdraw of a replaced rule names that rule's own target (drop /32 → scrubbing /24)", async () => {
    const rig = await new Rig(baseConfig()).start();
    rig.event({ bps: 6e8 });
    await rig.settle();
    const drop = rig.active()[0];
    rig.event({ bps: 8e9 });
    await rig.settle();
    expect(rig.active()[0]?.target).toBe('203.0.113.0/24');
    const records = await rig.store.audit.query({ ruleId: drop?.id });
    const w = records.find((r) => r.action === 'withdraw');
    expect(w?.target).toBe('203.0.113.5/32');
    expect(w?.reason).toMatch(/replaced by/);
  });
});
