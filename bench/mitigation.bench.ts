// Mitigation engine benchmarks: events/s through the pure pipeline with 10,000 active rules (target
// ≥ 200k/s), and the in-process delay from AttackEvent submission to the adapter call (target p99 ≤ 5 ms).
import type { Adapter, AdapterResult } from '../src/domain/adapter-port.js';
import type { AttackEvent } from '../src/domain/attack.js';
import type { Rule } from '../src/domain/rule.js';
import { parseMitigationConfig } from '../src/mitigation/config.js';
import { activeRules, createEngine, step } from '../src/mitigation/engine.js';
import { MemoryStore } from '../src/store/memory.js';
import { MitigationRunner } from '../src/engine-shell/runner.js';
import { uint32ToIpv4String } from '../src/net/index.js';
import { DryRunAdapter } from '../src/adapters/dry-run.js';

const RULES = 10_000;
const BASE = (11 << 24) >>> 0; // 11.0.0.0/8: ordinary unicast, so no special-purpose allowance is needed

const config = parseMitigationConfig({
  dryRun: false,
  tenants: { bench: { networks: ['11.0.0.0/8'] } },
  limits: { maxActiveRulesPerTenant: 1_000_000, deploymentsPerWindow: 1_000_000 },
});

function target(i: number): string {
  return `${uint32ToIpv4String((BASE + 1 + i) >>> 0)}/32`;
}

function event(i: number, now: number, bps = 3e8): AttackEvent {
  return {
    attackId: `a${i}`,
    kind: 'update',
    target: target(i),
    direction: 'incoming',
    family: 'udp_flood',
    reason: 'bench',
    node: 'r1',
    hostGroup: 'default',
    at: now,
    startedAt: now,
    pps: 30_000,
    bps,
    peakPps: 30_000,
    peakBps: bps,
    severity: 10,
    signature: { coverage: 1, protocols: [17], destinationPorts: [53] },
  };
}

function pipelineEventsPerSecond(): { eventsPerSecond: number; activeRules: number } {
  const s = createEngine({ config, idPrefix: 'b' });
  let now = 1_000_000;
  for (let i = 0; i < RULES; i++) {
    const { actions } = step(s, { type: 'event', event: event(i, now) }, now);
    for (const a of actions)
      if (a.kind === 'send')
        step(
          s,
          {
            type: 'adapter-result',
            ruleId: a.rule.id,
            op: 'announce',
            ok: true,
            retryable: false,
            adapter: 'b',
          },
          now,
        );
  }
  const active = activeRules(s).length;
  const events: AttackEvent[] = [];
  for (let i = 0; i < RULES; i++) events.push(event(i, now));
  const total = 1_000_000;
  const t0 = performance.now();
  for (let k = 0; k < total; k++) {
    if ((k & 1023) === 0) now += 1; // time moves on, as it does between real events
    step(s, { type: 'event', event: events[k % RULES] as AttackEvent }, now);
  }
  const ms = performance.now() - t0;
  return { eventsPerSecond: Math.round((total / ms) * 1000), activeRules: active };
}

class TimingAdapter implements Adapter {
  readonly name = 'timing';
  readonly kind = 'timing';
  readonly capabilities = {
    families: [4, 6] as const,
    intents: ['rate-limit', 'drop', 'blackhole', 'scrubbing'] as const,
  };
  onAnnounce: (() => void) | undefined;
  async announce(_rule: Rule): Promise<AdapterResult> {
    this.onAnnounce?.();
    return { ok: true, payload: null };
  }
  async withdraw(): Promise<AdapterResult> {
    return { ok: true, payload: null };
  }
  async list() {
    return [];
  }
  async test() {
    return this.health();
  }
  health() {
    return { status: 'up' as const, detail: '', checkedAt: 0 };
  }
  async close(): Promise<void> {}
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function eventToAdapterDelay(): Promise<{ p50: number; p99: number }> {
  const adapter = new TimingAdapter();
  const runner = new MitigationRunner({
    config,
    store: new MemoryStore(),
    adapters: [adapter],
    dryRunAdapter: new DryRunAdapter(),
    timer: false,
    instanceId: 'd',
  });
  await runner.start();
  // 10,000 standing rules first, as in production
  for (let i = 0; i < RULES; i++) runner.submitEvent(event(i, Date.now()));
  await runner.idle();
  const samples: number[] = [];
  const WARMUP = 500; // JIT warm-up, not measured
  for (let i = RULES; i < RULES + WARMUP + 2000; i++) {
    const t0 = performance.now();
    const called = new Promise<void>((r) => (adapter.onAnnounce = r));
    runner.submitEvent(event(i, Date.now()));
    await called;
    if (i >= RULES + WARMUP) samples.push(performance.now() - t0);
    await runner.idle();
  }
  await runner.stop();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export async function run(): Promise<Record<string, number>> {
  const p = pipelineEventsPerSecond();
  const d = await eventToAdapterDelay();
  return {
    'mitigation.pipeline.eventsPerSecond': p.eventsPerSecond,
    'mitigation.pipeline.activeRules': p.activeRules,
    'mitigation.eventToAdapter.p50Ms': Math.round(d.p50 * 1000) / 1000,
    'mitigation.eventToAdapter.p99Ms': Math.round(d.p99 * 1000) / 1000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`));
}
