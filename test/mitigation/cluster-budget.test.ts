// Issue 10 item 6 at the runner level, on a virtual clock: two engine processes sharing one store with a
// deployment budget (the in-memory double of src/store/budget.ts, same semantics, checked against the real
// one by src/store/budget-contract.ts) never exceed the tenant's window or cap together; refused
// deployments wait in the queue and go out when the budget has room; an escalation refused by the budget
// leaves the rule it replaces in place. Without the shared budget the same race makes twice the window —
// what the test would see if the counter were removed.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/engine-shell/clock.js';
import { parseMitigationConfig, type MitigationConfigInput } from '../../src/mitigation/config.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MitigationRunner } from '../../src/engine-shell/runner.js';
import type { AttackEvent } from '../../src/domain/attack.js';
import { CAP_POLL_MS } from '../../src/store/budget.js';
import type { BudgetAnswer, BudgetCharge, BudgetRepository, Store } from '../../src/domain/store-port.js';
import { RecordingAdapter, baseConfig } from './harness.js';
import { DryRunAdapter } from '../../src/adapters/dry-run.js';

/** In-memory budget with the store's own lock and rules: count and record under the tenant lock. */
class MemoryBudget implements BudgetRepository {
  private readonly times = new Map<string, number[]>();
  constructor(private readonly store: MemoryStore) {}
  charge(c: BudgetCharge): Promise<BudgetAnswer> {
    return this.store.locks.withLock(`budget:${c.tenant}`, async () => {
      const all = (this.times.get(c.tenant) ?? []).filter((t) => t > c.at - c.windowMs);
      this.times.set(c.tenant, all);
      const rules = await this.store.rules.list({
        tenant: c.tenant,
        states: ['pending', 'announced', 'failed'],
      });
      const active = rules.filter((r) => r.id !== c.ruleId && r.id !== c.replaces).length;
      const recent = [...all].sort((a, b) => b - a);
      if (recent.length >= c.limit) {
        return {
          ok: false,
          reason: 'rate',
          retryAt: (recent[c.limit - 1] as number) + c.windowMs,
          deployments: recent.length,
          active,
        };
      }
      if (c.adds && active >= c.cap)
        return { ok: false, reason: 'cap', retryAt: c.at + CAP_POLL_MS, deployments: recent.length, active };
      all.push(c.at);
      if (c.rule) await this.store.rules.upsert(c.rule);
      return { ok: true, deployments: recent.length + 1, active: active + (c.adds ? 1 : 0) };
    });
  }
}

function sharedStore(shared: boolean): { store: Store; memory: MemoryStore } {
  const memory = new MemoryStore();
  const store: Store = {
    kind: 'postgres',
    rules: memory.rules,
    attacks: memory.attacks,
    audit: memory.audit,
    state: memory.state,
    locks: memory.locks,
    tokens: memory.tokens,
    ...(shared ? { budget: new MemoryBudget(memory) } : {}),
    close: () => memory.close(),
  };
  return { store, memory };
}

class Cluster {
  readonly clock = new VirtualClock(1_000_000);
  readonly adapters: RecordingAdapter[] = [];
  readonly runners: MitigationRunner[] = [];
  readonly store: Store;
  readonly memory: MemoryStore;
  constructor(cfg: MitigationConfigInput, shared: boolean) {
    ({ store: this.store, memory: this.memory } = sharedStore(shared));
    for (const name of ['a', 'b']) {
      const adapter = new RecordingAdapter(`bgp-${name}`, this.clock);
      this.adapters.push(adapter);
      this.runners.push(
        new MitigationRunner({
          config: parseMitigationConfig(cfg),
          store: this.store,
          adapters: [adapter],
          dryRunAdapter: new DryRunAdapter('dry-run', () => this.clock.now()),
          clock: this.clock,
          timer: false,
          instanceId: `${name}-`,
        }),
      );
    }
  }
  async start(): Promise<this> {
    for (const r of this.runners) await r.start();
    return this;
  }
  event(runner: number, host: number): void {
    const target = `203.0.113.${host}/32`;
    const now = this.clock.now();
    const e: AttackEvent = {
      attackId: `${target}@${runner}`,
      kind: 'update',
      target,
      direction: 'incoming',
      family: 'udp_flood',
      reason: 'test',
      node: `r${runner}`,
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
    };
    this.runners[runner]!.submitEvent(e);
  }
  async idle(): Promise<void> {
    for (let i = 0; i < 3; i++) for (const r of this.runners) await r.idle();
  }
  /** Ticks both runners every second for `ms`. */
  async run(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      this.clock.advance(1000);
      for (const r of this.runners) r.tick();
      await this.idle();
    }
  }
  announces(): number[] {
    return this.adapters.flatMap((a) => a.announces().map((c) => c.at)).sort((x, y) => x - y);
  }
  held(): number {
    return this.adapters.reduce((n, a) => n + a.held.size, 0);
  }
}

/** Most announcements in any window of `windowMs` (sliding, like the engine's). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const RATE = baseConfig({ ttlSeconds: 3600 });

describe('one budget for the whole cluster (two runners, one shared store)', () => {
  it('two processes racing 200 targets make 30 announcements per minute together, then the rest in turn', async () => {
    const c = await new Cluster(RATE, true).start();
    for (let h = 1; h <= 100; h++) {
      c.event(0, h);
      c.event(1, 100 + h);
    }
    await c.idle();
    expect(c.announces()).toHaveLength(30);
    await c.run(60_000);
    expect(c.announces()).toHaveLength(60);
    await c.run(5 * 60_000 + 5_000); // 7 windows of 30 in all
    expect(c.announces()).toHaveLength(200);
    expect(maxInWindow(c.announces(), 60_000)).toBe(30);
    expect(c.held()).toBe(200);
    // every refused rule was audited as queued with the reason, and none was lost
    const queued = c.memory.audit.records.filter(
      (r) => r.action === 'queue' && r.reason.includes('cluster budget'),
    );
    expect(queued.length).toBeGreaterThan(0);
    expect(queued[0]?.reason).toMatch(
      /30 deployments of tenant acme in the last 60 s across all processes \(limit 30\)/,
    );
  });

  it('without the shared budget the same race makes 60 in the first minute (each process counts alone)', async () => {
    const c = await new Cluster(RATE, false).start();
    for (let h = 1; h <= 100; h++) {
      c.event(0, h);
      c.event(1, 100 + h);
    }
    await c.idle();
    expect(c.announces()).toHaveLength(60);
  });

  it('the cap holds across processes; a rule ended on one process frees a slot the other one takes', async () => {
    const cfg = baseConfig({
      ttlSeconds: 3600,
      limits: { deploymentsPerWindow: 1000, maxActiveRulesPerTenant: 40 },
    });
    const c = await new Cluster(cfg, true).start();
    for (let h = 1; h <= 60; h++) {
      c.event(0, h);
      c.event(1, 100 + h);
    }
    await c.idle();
    await c.run(5_000);
    expect(c.held()).toBe(40);
    const active = await c.store.rules.list({ states: ['pending', 'announced', 'failed'] });
    expect(active).toHaveLength(40);
    // process a withdraws five of its rules by hand; process b's waiting rules take the slots
    const mine = c.runners[0]!.listRules().active.slice(0, 5);
    for (const r of mine) expect((await c.runners[0]!.withdrawRule(r.id, 'test')).ok).toBe(true);
    await c.idle();
    expect(c.held()).toBe(35);
    await c.run(2 * CAP_POLL_MS + 2000);
    expect(c.held()).toBe(40);
    expect(c.runners.reduce((n, r) => n + r.listRules().queued.length, 0)).toBe(120 - 40 - 5);
  });

  it('an escalation the budget refuses leaves the standing rule on the routers until it goes through', async () => {
    const cfg = baseConfig({ ttlSeconds: 3600, limits: { deploymentsPerWindow: 3, cooldownMs: 0 } });
    const c = await new Cluster(cfg, true).start();
    c.event(0, 1); // level 1 on process a
    await c.idle();
    expect(c.adapters[0]!.announces().map((x) => x.rule.intent)).toEqual(['rate-limit']);
    c.clock.advance(1000);
    c.event(1, 2);
    c.event(1, 3); // process b uses the rest of the window
    await c.idle();
    c.clock.advance(1000);
    // the attack on .1 grows to level 2: process a's local window has room, the cluster's has not
    const grow = (): void => {
      const now = c.clock.now();
      c.runners[0]!.submitEvent({
        attackId: '203.0.113.1/32@0',
        kind: 'update',
        target: '203.0.113.1/32',
        direction: 'incoming',
        family: 'udp_flood',
        reason: 'test',
        node: 'r0',
        hostGroup: 'default',
        at: now,
        startedAt: now,
        pps: 300_000,
        bps: 8e8,
        peakPps: 300_000,
        peakBps: 8e8,
        thresholdBps: 3e7,
        severity: 10,
        signature: { coverage: 1, protocols: [17], destinationPorts: [27015] },
      });
    };
    grow();
    await c.idle();
    const a = c.adapters[0]!;
    expect(a.announces()).toHaveLength(1);
    expect([...a.held.values()].map((h) => h.description)).toEqual(['rate-limit']);
    expect(c.runners[0]!.listRules().active.map((r) => r.intent)).toEqual(['rate-limit']);
    expect(c.runners[0]!.listRules().queued.map((r) => r.intent)).toEqual(['drop']);
    // the first deployment leaves the window at +60 s: the drop goes out and replaces the rate-limit
    // (same FlowSpec NLRI: the route is replaced in place, so nothing is withdrawn in between)
    await c.run(60_000);
    expect(a.announces().map((x) => [x.at, x.rule.intent])).toEqual([
      [1_000_000, 'rate-limit'],
      [1_060_000, 'drop'],
    ]);
    expect(c.runners[0]!.listRules().active.map((r) => r.intent)).toEqual(['drop']);
    expect(c.runners[0]!.listRules().queued).toEqual([]);
    const first = await c.store.rules.get(a.announces()[0]!.rule.id);
    expect(first?.state).toBe('withdrawn');
    expect(maxInWindow(c.announces(), 60_000)).toBeLessThanOrEqual(3);
  });

  it('a retry the budget refuses keeps its rule and tries again when the window has room', async () => {
    const cfg = baseConfig({ ttlSeconds: 3600, limits: { deploymentsPerWindow: 2 } });
    const c = await new Cluster(cfg, true).start();
    const a = c.adapters[0]!;
    a.failNext = 1; // the first announce fails (retryable): retry after the 1 s backoff
    c.event(0, 1);
    await c.idle();
    c.event(1, 2); // process b takes the second slot of the window
    await c.idle();
    await c.run(5_000);
    // the retry was refused by the budget, not sent: one call so far, the rule still waits as failed
    expect(a.announces()).toHaveLength(1);
    expect(c.runners[0]!.listRules().active.map((r) => r.state)).toEqual(['failed']);
    await c.run(60_000);
    expect(a.announces()).toHaveLength(2);
    expect(c.runners[0]!.listRules().active.map((r) => r.state)).toEqual(['announced']);
    expect(maxInWindow(c.announces(), 60_000)).toBeLessThanOrEqual(2);
  });

  it('an escalation decided while the refused replacement is in flight takes over the rule on the routers', async () => {
    const cfg = baseConfig({ ttlSeconds: 3600, limits: { deploymentsPerWindow: 3, cooldownMs: 0 } });
    const c = await new Cluster(cfg, true).start();
    const at = (bps: number): AttackEvent => {
      const now = c.clock.now();
      return {
        attackId: '203.0.113.1/32@0',
        kind: 'update',
        target: '203.0.113.1/32',
        direction: 'incoming',
        family: 'udp_flood',
        reason: 'test',
        node: 'r0',
        hostGroup: 'default',
        at: now,
        startedAt: now,
        pps: 300_000,
        bps,
        peakPps: 300_000,
        peakBps: bps,
        thresholdBps: 3e7,
        severity: 10,
        signature: { coverage: 1, protocols: [17], destinationPorts: [27015] },
      };
    };
    c.runners[0]!.submitEvent(at(3e8)); // level 1: the rate-limit P goes out
    await c.idle();
    c.clock.advance(1000);
    c.event(1, 2);
    c.event(1, 3); // process b fills the window
    await c.idle();
    c.clock.advance(1000);
    c.runners[0]!.submitEvent(at(8e8)); // level 2: the drop D is sent (and will be refused)…
    c.runners[0]!.submitEvent(at(3e9)); // …and before its answer, level 3: the blackhole X
    await c.idle();
    const a = c.adapters[0]!;
    expect(a.calls.map((x) => [x.op, x.rule.intent])).toEqual([['announce', 'rate-limit']]);
    expect(c.runners[0]!.listRules().active.map((r) => r.intent)).toEqual(['rate-limit']);
    await c.run(60_000);
    // X replaces P, the rule actually on the routers; D never went out
    expect(a.calls.map((x) => [x.op, x.rule.intent])).toEqual([
      ['announce', 'rate-limit'],
      ['announce', 'blackhole'],
      ['withdraw', 'rate-limit'],
    ]);
    expect(a.held.size).toBe(1);
    expect(c.runners[0]!.listRules().active.map((r) => r.intent)).toEqual(['blackhole']);
  });
});
