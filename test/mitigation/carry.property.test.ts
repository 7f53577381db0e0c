// Issue 10 item 1, "never fail open", as a property: over random adapter capability sets (intents,
// families, selective blackholing, configuration gaps, render refusals, transient failures, route- or
// rule-owned routes) and random attack volumes, no sequence of events ever leaves an attacked target with
// less protection than the strongest level its adapters can carry — neither once the engine has settled,
// nor at the moment any rule is withdrawn (a replacement is withdrawn only after its successor stands).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Adapter, AdapterHealth, AdapterResult, HeldRule } from '../../src/domain/adapter-port.js';
import type { AttackEvent } from '../../src/domain/attack.js';
import type { Intent, Rule } from '../../src/domain/rule.js';
import { formatFlowSpec } from '../../src/flowspec/text.js';
import { whyNotCarried } from '../../src/mitigation/carry.js';
import { VirtualClock } from '../../src/engine-shell/clock.js';
import { parseMitigationConfig } from '../../src/mitigation/config.js';
import { INTENT_KIND } from '../../src/domain/rule.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MitigationRunner } from '../../src/engine-shell/runner.js';
import { parsePrefix, prefixContains } from '../../src/net/index.js';
import { DryRunAdapter } from '../../src/adapters/dry-run.js';

const LEVEL_INTENTS: readonly Intent[] = ['rate-limit', 'drop', 'blackhole', 'scrubbing'];
const LEVEL_BPS = [100e6, 500e6, 2e9, 5e9];
// two hosts of one /24 (a scrubbing diversion is one route for both) and an IPv6 host
const TARGETS = [
  { host: '203.0.113.5/32', family: 4 as const },
  { host: '2001:db8::5/128', family: 6 as const },
  { host: '203.0.113.6/32', family: 4 as const },
];

interface AdapterSpec {
  readonly intents: Intent[];
  readonly families: (4 | 6)[];
  readonly selectivePeers: boolean;
  readonly routesByRule: boolean;
  readonly gap: { intent: Intent; family: 4 | 6 } | undefined;
  /** Advertised but refused when rendered (a render error: not retryable). */
  readonly refuses: Intent[];
  /** Transient (retryable) failures of the first announcements. */
  readonly flaky: number;
}

/** What the routers hold, across adapters: each adapter's routes, keyed as that adapter keys them. */
class Network {
  readonly held = new Map<string, Map<string, Rule>>();
  violations: string[] = [];
  /** The level each target must keep at least, as the test's model of the attack wants it. */
  required = new Map<string, number>();
  level(host: string): number {
    const h = parsePrefix(host);
    let max = 0;
    for (const m of this.held.values())
      for (const r of m.values()) if (prefixContains(parsePrefix(r.target), h)) max = Math.max(max, r.level);
    return max;
  }
}

function routeKey(r: Rule): string {
  const kind = INTENT_KIND[r.intent];
  return kind === 'flowspec' ? `fs ${formatFlowSpec(r.match)}` : `${kind} ${r.target}`;
}

class CapAdapter implements Adapter {
  readonly kind = 'cap';
  readonly capabilities;
  private flaky: number;
  constructor(
    readonly name: string,
    private readonly spec: AdapterSpec,
    private readonly net: Network,
    private readonly clock: VirtualClock,
  ) {
    this.capabilities = {
      families: spec.families,
      intents: spec.intents,
      selectivePeers: spec.selectivePeers,
      routesByRule: spec.routesByRule,
      gaps: spec.gap ? [{ ...spec.gap, reason: 'not configured' }] : [],
    };
    this.flaky = spec.flaky;
    net.held.set(name, new Map());
  }
  private key(r: Rule): string {
    return this.spec.routesByRule ? r.id : routeKey(r);
  }
  async announce(rule: Rule): Promise<AdapterResult> {
    const refusal = whyNotCarried(
      { name: this.name, ...this.capabilities },
      rule.intent,
      rule.family,
      (rule.peers?.length ?? 0) > 0,
    );
    if (refusal !== undefined || this.spec.refuses.includes(rule.intent))
      return { ok: false, payload: null, retryable: false, error: `render: ${refusal ?? 'refused'}` };
    if (this.flaky > 0) {
      this.flaky--;
      return { ok: false, payload: null, retryable: true, error: 'session down' };
    }
    this.net.held.get(this.name)?.set(this.key(rule), rule);
    return { ok: true, payload: { id: rule.id } };
  }
  async withdraw(rule: Rule): Promise<AdapterResult> {
    const m = this.net.held.get(this.name) as Map<string, Rule>;
    const held = m.get(this.key(rule));
    // a route-keyed daemon removes whatever rule holds that route
    m.delete(this.key(rule));
    if (held !== undefined) {
      for (const t of TARGETS) {
        const need = this.net.required.get(t.host) ?? 0;
        const now = this.net.level(t.host);
        if (now < need)
          this.net.violations.push(
            `${this.clock.now()}: withdraw of ${rule.id} (${rule.intent}) left ${t.host} at level ${now} < ${need}`,
          );
      }
    }
    return { ok: true, payload: { id: rule.id } };
  }
  async list(): Promise<readonly HeldRule[]> {
    return [];
  }
  async test(): Promise<AdapterHealth> {
    return this.health();
  }
  health(): AdapterHealth {
    return { status: 'up', detail: 'up', checkedAt: this.clock.now() };
  }
  async close(): Promise<void> {}
}

/** The strongest level ≤ wanted some adapter carries and does not refuse, for the family. */
function strongestCarriable(
  specs: readonly AdapterSpec[],
  family: 4 | 6,
  wanted: number,
  peers: boolean,
): number {
  for (let l = wanted; l >= 1; l--) {
    const intent = LEVEL_INTENTS[l - 1] as Intent;
    const ok = specs.some(
      (s, i) =>
        !s.refuses.includes(intent) &&
        whyNotCarried(
          {
            name: `a${i}`,
            families: s.families,
            intents: s.intents,
            selectivePeers: s.selectivePeers,
            gaps: s.gap ? [{ ...s.gap, reason: 'x' }] : [],
          },
          intent,
          family,
          peers && intent === 'blackhole',
        ) === undefined,
    );
    if (ok) return l;
  }
  return 0;
}

const intentSubset = fc.subarray(LEVEL_INTENTS as Intent[], { minLength: 0 });
const specArb: fc.Arbitrary<AdapterSpec> = fc.record({
  intents: intentSubset,
  families: fc.constantFrom<(4 | 6)[]>([4], [6], [4, 6]),
  selectivePeers: fc.boolean(),
  routesByRule: fc.boolean(),
  gap: fc.option(
    fc.record({ intent: fc.constantFrom(...LEVEL_INTENTS), family: fc.constantFrom<4 | 6>(4, 6) }),
    { nil: undefined },
  ),
  refuses: fc.subarray(LEVEL_INTENTS as Intent[], { maxLength: 2 }),
  flaky: fc.nat(2),
});

// An attack volume per step: anywhere on the ladder, including below level 1.
const stepArb = fc.record({ target: fc.nat(2), bps: fc.constantFrom(5e7, 2e8, 8e8, 3e9, 8e9, 2e10) });

function rawLevel(bps: number): number {
  let l = 0;
  LEVEL_BPS.forEach((t, i) => {
    if (bps > t) l = i + 1;
  });
  return l;
}

async function run(specs: AdapterSpec[], peers: boolean, steps: { target: number; bps: number }[]) {
  const clock = new VirtualClock(1_000_000);
  const net = new Network();
  const adapters = specs.map((s, i) => new CapAdapter(`a${i}`, s, net, clock));
  const runner = new MitigationRunner({
    config: parseMitigationConfig({
      dryRun: false,
      tenants: { acme: { networks: ['203.0.113.0/24', '2001:db8::/32'] } },
      guards: { allowSpecialPurpose: ['203.0.113.0/24', '2001:db8::/32'] },
      limits: { deploymentsPerWindow: 1000 },
      rtbh: peers ? { peers: ['r1'] } : {},
    }),
    store: new MemoryStore(),
    adapters,
    dryRunAdapter: new DryRunAdapter('dry-run', () => clock.now()),
    clock,
    timer: false,
    instanceId: 'p',
  });
  await runner.start();
  const advance = async (ms: number) => {
    const end = clock.now() + ms;
    for (let i = 0; i < 1000; i++) {
      const d = runner.nextDeadline();
      if (!(d <= end)) break;
      clock.set(Math.max(d, clock.now()));
      runner.tick();
      await runner.idle();
    }
    clock.set(end);
    runner.tick();
    await runner.idle();
  };
  for (const st of steps) {
    const t = TARGETS[st.target] as (typeof TARGETS)[number];
    const wanted = rawLevel(st.bps);
    // while the attack grows the model raises its demand at once; a lower demand applies after the step
    const need = strongestCarriable(specs, t.family, wanted, peers);
    const before = net.required.get(t.host) ?? 0;
    net.required.set(t.host, Math.min(before, need));
    const e: AttackEvent = {
      attackId: `${t.host}@r1`,
      kind: 'update',
      target: t.host,
      direction: 'incoming',
      family: 'udp_flood',
      reason: 'test',
      node: 'r1',
      hostGroup: 'default',
      at: clock.now(),
      startedAt: clock.now(),
      pps: st.bps / 8000,
      bps: st.bps,
      peakPps: st.bps / 8000,
      peakBps: st.bps,
      thresholdBps: st.bps / 10,
      severity: 10,
      signature: { coverage: 1, protocols: [17], destinationPorts: [27015] },
    };
    runner.submitEvent(e);
    await runner.idle();
    await advance(20_000); // retries (1 s, 2 s …) and the queue have run
    net.required.set(t.host, need);
    for (const u of TARGETS) {
      const req = net.required.get(u.host) ?? 0;
      const held = net.level(u.host);
      if (held < req) net.violations.push(`after step: ${u.host} at level ${held} < ${req}`);
    }
  }
  await runner.stop();
  return net.violations;
}

describe('never fail open (issue 10 item 1)', () => {
  it('property: no sequence of events leaves an attacked target below the strongest level its adapters carry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.array(stepArb, { minLength: 1, maxLength: 10 }),
        async (specs, peers, steps) => {
          const violations = await run(specs, peers, steps);
          expect(violations).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);

  it('an attack first seen above 5 Gbps with adapters that carry only FlowSpec gets the drop at once', async () => {
    const only: AdapterSpec = {
      intents: ['rate-limit', 'drop'],
      families: [4, 6],
      selectivePeers: false,
      routesByRule: false,
      gap: undefined,
      refuses: [],
      flaky: 0,
    };
    expect(await run([only], false, [{ target: 0, bps: 8e9 }])).toEqual([]);
  });

  it('a level refused when rendered is skipped from then on; the rule it was to replace stays meanwhile', async () => {
    const refusing: AdapterSpec = {
      intents: ['rate-limit', 'drop', 'blackhole'],
      families: [4, 6],
      selectivePeers: true,
      routesByRule: false,
      gap: undefined,
      refuses: ['blackhole'],
      flaky: 0,
    };
    expect(
      await run([refusing], false, [
        { target: 0, bps: 2e8 },
        { target: 0, bps: 3e9 },
        { target: 0, bps: 8e9 },
      ]),
    ).toEqual([]);
  });
});
