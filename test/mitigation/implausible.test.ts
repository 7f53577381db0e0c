// Issue 19 item 2: an attack reported only by a node whose exporters were flagged implausible (forged-looking
// sampling rates, rates over their ceiling) is not mitigated automatically until a second node corroborates it.
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../src/domain/attack.js';
import { Rig } from './harness.js';

function ev(rig: Rig, node: string, flagged: boolean): AttackEvent {
  const now = rig.now();
  return {
    attackId: `t@${node}`,
    kind: 'update',
    target: '203.0.113.5/32',
    direction: 'incoming',
    family: 'udp_flood',
    reason: 'test',
    node,
    hostGroup: 'default',
    at: now,
    startedAt: now,
    pps: 100_000,
    bps: 3e8,
    peakPps: 100_000,
    peakBps: 3e8,
    thresholdBps: 3e7,
    severity: 10,
    signature: { coverage: 1, protocols: [17], destinationPorts: [27015] },
    ...(flagged ? { implausibleNodes: [node] } : {}),
  };
}

describe('implausible-flagged nodes need corroboration', () => {
  it('one flagged node alone raises an alert, no rule, however confident', async () => {
    const rig = await new Rig().start();
    rig.runner.submitEvent(ev(rig, 'r1', true));
    await rig.settle();
    await rig.advance(10_000);
    expect(rig.adapter.calls).toEqual([]);
    expect(rig.actions('alert')).toHaveLength(1);
    expect(rig.actions('alert')[0]?.reason).toMatch(/flagged implausible: needs a second node/);
  });

  it('the same event from an unflagged node acts at once', async () => {
    const rig = await new Rig().start();
    rig.runner.submitEvent(ev(rig, 'r1', false));
    await rig.settle();
    expect(rig.adapter.announces()).toHaveLength(1);
  });

  it('a second node (flagged or not) corroborates the flagged one', async () => {
    for (const secondFlagged of [false, true]) {
      const rig = await new Rig().start();
      rig.runner.submitEvent(ev(rig, 'r1', true));
      await rig.settle();
      expect(rig.adapter.calls).toEqual([]);
      rig.runner.submitEvent(ev(rig, 'r2', secondFlagged));
      await rig.settle();
      expect(rig.adapter.announces()).toHaveLength(1);
      expect(rig.actions('announce')[0]?.reason).toContain('2 node(s)');
    }
  });
});
