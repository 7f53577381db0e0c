// Issue 10 item 3 on the engine side: one detector reports an attack once per node that saw it, each
// with its own share; the engine aggregates the reports of one instant before it decides, so the first
// rule already has the summed volume and the corroboration of every node (no announce-then-escalate).
import { describe, expect, it } from 'vitest';
import { Rig } from './harness.js';

describe('per-node reports of one instant', () => {
  it('are aggregated before the decision: one rule at the summed volume, corroboration 2', async () => {
    const fresh = await new Rig().start();
    const a = { ...buildEvent(fresh, 'edge-a'), moreNodes: 1 };
    const b = { ...buildEvent(fresh, 'edge-b'), moreNodes: 0 };
    fresh.runner.submitEvent(a);
    await fresh.settle();
    expect(fresh.decisions).toEqual([]); // waits for the rest of the instant
    fresh.runner.submitEvent(b);
    await fresh.settle();
    await fresh.advance(5000);
    expect(fresh.adapter.announces()).toHaveLength(1);
    const announce = fresh.actions('announce')[0]!;
    expect(announce).toMatchObject({ level: 2, intent: 'drop' }); // 2 × 300 Mbit/s > 500 Mbit/s
    expect(announce.reason).toContain('2 node(s)');
    expect(announce.reason).toContain('corroboration 1.00');
    expect(fresh.actions('escalate')).toEqual([]);
  });
});

function buildEvent(rig: Rig, node: string) {
  return {
    attackId: 'in:203.0.113.5/32:1',
    kind: 'start' as const,
    target: '203.0.113.5/32',
    direction: 'incoming' as const,
    family: 'udp_flood' as const,
    reason: 'test',
    node,
    hostGroup: 'default',
    at: rig.now(),
    startedAt: rig.now(),
    pps: 50_000,
    bps: 3e8,
    peakPps: 100_000,
    peakBps: 6e8,
    thresholdBps: 3e7,
    severity: 10,
    signature: { coverage: 1, protocols: [17], destinationPorts: [27015] },
  };
}
