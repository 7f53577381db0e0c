import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../domain/attack.js';
import type { OpsEvent } from '../domain/events.js';
import type { Rule } from '../domain/rule.js';
import { sampleRule } from '../domain/sample-rule.js';
import { auditEvent } from '../../test/notify/harness.js';
import { classify, type ClassifyContext } from './classify.js';
import { resolveSecrets } from './channels/index.js';
import { notificationsConfigSchema, channelSchema } from './config.js';
import { acknowledge, applyNotice, resolve } from './incidents.js';
import { mutedBy } from './maintenance.js';
import { take } from './rate-limit.js';
import { route } from './route.js';
import { publicStatus } from './status/model.js';
import { fill, templateVars } from './template.js';
import type { Incident, Notice } from './types.js';

const ctx: ClassifyContext = {
  ownerOf: (t) => (t.startsWith('203.0.113.') ? 'acme' : undefined),
  policyOf: () => 'default',
  runbooks: { default: 'https://runbooks.example/ddos' },
};

export function attack(kind: AttackEvent['kind'], target: string, at: number, id = `a-${target}`): OpsEvent {
  const e: AttackEvent = {
    attackId: id,
    kind,
    target,
    direction: 'incoming',
    family: 'udp_flood',
    reason: 'pps above 20',
    node: 'edge-1',
    hostGroup: 'default',
    at,
    startedAt: 1_000,
    pps: 5000,
    bps: 4e7,
    peakPps: 6000,
    peakBps: 5e7,
    severity: 250,
    signature: { protocols: [17], coverage: 1 },
  };
  return { type: 'attack', at, event: e };
}

/** An engine audit record on the bus (test/notify/harness.ts), reason 'level 1' unless told. */
export const audit = (
  action: 'announce' | 'withdraw' | 'escalate',
  target: string,
  at: number,
  ruleId: string,
  reason = 'level 1',
): OpsEvent => auditEvent(action, target, at, ruleId, reason);

const opts = { groupWindowMs: 600_000, timelineLimit: 50 };
let seq = 0;
const newId = () => `inc-${++seq}`;

function run(events: OpsEvent[], rule?: Rule): { incidents: Map<string, Incident>; notices: Notice[] } {
  const incidents = new Map<string, Incident>();
  const notices: Notice[] = [];
  for (const e of events) {
    const n = classify(e, { ...ctx, ...(rule ? { rule } : {}) });
    if (!n) continue;
    notices.push(n);
    const a = applyNotice([...incidents.values()], n, { ...opts, newId });
    if (a) incidents.set(a.incident.id, a.incident);
  }
  return { incidents, notices };
}

describe('classify', () => {
  it('maps attack start/end, deploy audits and health changes to notices, and ignores updates', () => {
    expect(classify(attack('update', '203.0.113.5/32', 2_000), ctx)).toBeUndefined();
    const start = classify(attack('start', '203.0.113.5/32', 2_000), ctx)!;
    expect(start).toMatchObject({
      kind: 'attack.start',
      tenant: 'acme',
      severity: 'critical',
      runbook: 'https://runbooks.example/ddos',
    });
    expect(start.title).toContain('UDP flood on 203.0.113.5/32');
    const failed = classify(
      audit('announce', '203.0.113.5/32', 3_000, 'r1', 'level 1 — FAILED: HTTP 500'),
      ctx,
    )!;
    expect(failed).toMatchObject({ kind: 'rule.failed', severity: 'critical' });
    expect(classify({ type: 'adapter', at: 1, adapter: 'gobgp', state: 'down' }, ctx)).toMatchObject({
      kind: 'adapter.down',
      tenant: '*',
      subject: 'adapter:gobgp',
    });
    const replaced = classify(audit('withdraw', '203.0.113.5/32', 3_000, 'r1', 'replaced by r2'), ctx)!;
    expect(replaced).toMatchObject({ kind: 'rule.withdraw', quiet: true });
    expect(
      classify(
        {
          type: 'audit',
          at: 1,
          record: { at: 1, actor: 'x', action: 'config', tenant: '*', dryRun: false, reason: 'r' },
        },
        ctx,
      ),
    ).toBeUndefined();
  });
});

describe('incidents', () => {
  it('groups start, announce, a covering-prefix attack, end and withdraw into one incident that resolves', () => {
    const { incidents } = run([
      attack('start', '203.0.113.5/32', 2_000),
      audit('announce', '203.0.113.5/32', 2_500, 'r1'),
      attack('start', '203.0.113.0/24', 3_000, 'carpet'),
      attack('end', '203.0.113.5/32', 60_000),
      attack('end', '203.0.113.0/24', 61_000, 'carpet'),
    ]);
    expect(incidents.size).toBe(1);
    const [i] = [...incidents.values()];
    expect(i!.subject).toBe('203.0.113.0/24');
    expect(i!.state).toBe('open'); // the rule is still in place
    expect(i!.mitigation).toMatch(/attack has ended/);
    const after = applyNotice([i!], classify(audit('withdraw', '203.0.113.5/32', 300_000, 'r1'), ctx)!, {
      ...opts,
      newId,
    });
    expect(after?.effect).toBe('resolved');
    expect(after?.incident.state).toBe('resolved');
    expect(after?.incident.timeline.map((e) => e.kind)).toEqual([
      'attack.start',
      'rule.announce',
      'attack.start',
      'attack.end',
      'attack.end',
      'rule.withdraw',
    ]);
  });

  it('opens separate incidents for unrelated targets and for the same target after the window', () => {
    const { incidents } = run([
      attack('start', '203.0.113.5/32', 2_000, 'x'),
      attack('start', '203.0.113.6/32', 2_000, 'y'),
      attack('end', '203.0.113.5/32', 3_000, 'x'),
      attack('start', '203.0.113.5/32', 3_000 + 700_000, 'z'),
    ]);
    expect([...incidents.values()].map((i) => [i.subject, i.state])).toEqual([
      ['203.0.113.5/32', 'resolved'],
      ['203.0.113.6/32', 'open'],
      ['203.0.113.5/32', 'open'],
    ]);
  });

  it('acknowledge and resolve follow the state machine', () => {
    const { incidents } = run([attack('start', '203.0.113.5/32', 2_000)]);
    const i = [...incidents.values()][0]!;
    const acked = acknowledge(i, 'alice', 5_000, 'looking')!;
    expect(acked.state).toBe('acknowledged');
    expect(acknowledge(acked, 'bob', 6_000)).toBeUndefined();
    const done = resolve(acked, 'alice', 7_000)!;
    expect(done).toMatchObject({ state: 'resolved', resolvedBy: 'alice' });
    expect(resolve(done, 'x', 8_000)).toBeUndefined();
  });

  it('infrastructure incidents open on down and resolve on up', () => {
    const { incidents } = run([
      { type: 'bgp-session', at: 1, peer: '127.16.0.9', state: 'down' },
      { type: 'bgp-session', at: 2, peer: '127.16.0.9', state: 'up' },
    ]);
    expect([...incidents.values()].map((i) => [i.tenant, i.state])).toEqual([['*', 'resolved']]);
  });
});

describe('public status view', () => {
  it('says what is happening in plain words and hides addresses unless allowed', () => {
    const rule = sampleRule('r1', { intent: 'rate-limit', level: 1 });
    const { incidents } = run(
      [attack('start', '203.0.113.5/32', 2_000), audit('announce', '203.0.113.5/32', 2_500, 'r1')],
      rule,
    );
    const list = [...incidents.values()];
    const hidden = publicStatus(
      'acme',
      { title: '', description: '', showAddresses: false },
      list,
      10_000,
      90,
    );
    expect(hidden.state).toBe('mitigating');
    expect(hidden.current[0]!.mitigation).toBe('attack traffic is rate-limited at the network edge');
    expect(JSON.stringify(hidden)).not.toContain('203.0.113');
    expect(JSON.stringify(hidden)).not.toContain('edge-1');
    expect(hidden.days).toHaveLength(90);
    const shown = publicStatus('acme', { title: '', description: '', showAddresses: true }, list, 10_000, 90);
    expect(shown.current[0]!.target).toBe('203.0.113.5/32');
    expect(
      publicStatus('other', { title: '', description: '', showAddresses: true }, list, 10_000, 90).state,
    ).toBe('operational');
  });
});

describe('routing, rate limit, maintenance, templates', () => {
  const n = classify(attack('start', '203.0.113.5/32', 2_000), ctx)!;
  const slack = (over: object) =>
    channelSchema.parse({ type: 'slack', name: 's', url: 'http://127.16.0.1/', ...over });
  const limit = notificationsConfigSchema.parse({}).rateLimit;

  it('filters by tenant, severity and kind', () => {
    const state = { tokens: 5, updatedAt: 0 };
    expect(route(slack({ tenants: ['other'] }), limit, state, n, 0, false).route).toBe('filtered');
    expect(
      route(slack({ minSeverity: 'critical' }), limit, state, { ...n, severity: 'warning' }, 0, false).route,
    ).toBe('filtered');
    expect(route(slack({ kinds: ['attack.end'] }), limit, state, n, 0, false).route).toBe('filtered');
    expect(
      route(slack({ tenants: ['acme'], kinds: ['attack.start'] }), limit, state, n, 0, false).route,
    ).toBe('send');
  });

  it('spends the burst, then digests, then refills at the sustained rate', () => {
    let b = { tokens: 2, updatedAt: 0 };
    const cfg = { burst: 2, perMinute: 2 };
    const out: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const t = take(b, cfg, 0);
      b = t.bucket;
      out.push(t.ok);
    }
    expect(out).toEqual([true, true, false, false]);
    expect(take(b, cfg, 30_000).ok).toBe(true);
  });

  it('resolution of an incident the channel was told about passes filters and the limit', () => {
    const state = { tokens: 0, updatedAt: 0 };
    const f = {
      ...n,
      kind: 'attack.end' as const,
      severity: 'info' as const,
      incidentId: 'inc-1',
      incidentEffect: 'resolved' as const,
    };
    expect(route(slack({ minSeverity: 'critical' }), limit, state, f, 0, true).route).toBe('send');
  });

  it('maintenance windows mute overlapping targets only while open', () => {
    const w = [
      {
        id: 'w',
        name: 'upgrade',
        targets: ['203.0.113.0/24'],
        start: 1_000,
        end: 5_000,
        createdBy: 'config',
      },
    ];
    expect(mutedBy(w, n)?.name).toBe('upgrade');
    expect(mutedBy(w, { ...n, at: 5_000 })).toBeUndefined();
    expect(mutedBy(w, { ...n, subject: '198.51.100.1/32' })).toBeUndefined();
  });

  it('templates fill known placeholders and leave unknown ones visible', () => {
    const v = templateVars(n, undefined, 'https://fg.example/');
    expect(fill('[{{severity}}] {{title}} {{statusUrl}} {{nope}}', v)).toBe(
      `[critical] ${n.title} https://fg.example/status/acme {{nope}}`,
    );
  });

  it('reads env:NAME secrets from the environment and names a missing one', () => {
    const cfg = channelSchema.parse({ type: 'pagerduty', name: 'pd', routingKey: 'env:PD_KEY' });
    expect(resolveSecrets(cfg, { PD_KEY: 'k'.repeat(32) })).toMatchObject({ routingKey: 'k'.repeat(32) });
    expect(() => resolveSecrets(cfg, {})).toThrow(
      'notifications channel "pd": routingKey: environment variable PD_KEY (named by "env:PD_KEY") is not set',
    );
  });
});
