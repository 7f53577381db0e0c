// Virtual-clock rig for runner-level scenario tests: a recording adapter with programmable failures,
// the in-memory store, and helpers to feed events and advance time through every engine deadline.
import type {
  Adapter,
  AdapterHealth,
  AdapterResult,
  HeldRule,
  HealthStatus,
} from '../../src/domain/adapter-port.js';
import type { AttackEvent, AttackFamily, Signature } from '../../src/domain/attack.js';
import { INTENTS, type Intent, type Rule } from '../../src/domain/rule.js';
import { VirtualClock } from '../../src/engine-shell/clock.js';
import { type MitigationConfigInput, parseMitigationConfig } from '../../src/mitigation/config.js';
import { MemoryStore } from '../../src/store/memory.js';
import { type DecisionRecord, MitigationRunner } from '../../src/engine-shell/runner.js';
import type { OriginValidator } from '../../src/mitigation/types.js';
import type { Store } from '../../src/domain/store-port.js';
import { DryRunAdapter } from '../../src/adapters/dry-run.js';

export interface Call {
  readonly at: number;
  readonly op: 'announce' | 'withdraw';
  readonly rule: Rule;
}

/** Records calls, holds what it announced, fails on demand. */
export class RecordingAdapter implements Adapter {
  readonly kind = 'recording';
  readonly calls: Call[] = [];
  readonly held = new Map<string, HeldRule>();
  /** Fail the next n announces (retryable). */
  failNext = 0;
  failAll = false;
  status: HealthStatus = 'up';
  readonly capabilities: { families: readonly (4 | 6)[]; intents: readonly Intent[] };
  constructor(
    readonly name: string,
    private readonly clock: { now(): number },
    intents: readonly Intent[] = INTENTS,
  ) {
    this.capabilities = { families: [4, 6], intents };
  }
  async announce(rule: Rule): Promise<AdapterResult> {
    this.calls.push({ at: this.clock.now(), op: 'announce', rule });
    if (this.failAll || this.failNext > 0) {
      this.failNext = Math.max(0, this.failNext - 1);
      return { ok: false, payload: { sent: rule.id }, error: 'session down', retryable: true };
    }
    this.held.set(rule.id, { ruleId: rule.id, target: rule.target, description: rule.intent });
    return { ok: true, payload: { sent: rule.id, intent: rule.intent } };
  }
  async withdraw(rule: Rule): Promise<AdapterResult> {
    this.calls.push({ at: this.clock.now(), op: 'withdraw', rule });
    this.held.delete(rule.id);
    return { ok: true, payload: { withdrawn: rule.id } };
  }
  async list(): Promise<readonly HeldRule[]> {
    return [...this.held.values()];
  }
  async test(): Promise<AdapterHealth> {
    return this.health();
  }
  health(): AdapterHealth {
    return { status: this.status, detail: this.status, checkedAt: this.clock.now() };
  }
  async close(): Promise<void> {}
  announces(): Call[] {
    return this.calls.filter((c) => c.op === 'announce');
  }
}

export const NET = '203.0.113.0/24';

/** Config with one tenant on the documentation range (explicitly allowed), acting (not dry-run). */
export function baseConfig(over: MitigationConfigInput = {}): MitigationConfigInput {
  return {
    dryRun: false,
    tenants: { acme: { networks: [NET, '2001:db8::/32'] } },
    ...over,
    guards: { allowSpecialPurpose: [NET, '2001:db8::/32'], ...(over.guards ?? {}) },
  };
}

export interface EventSpec {
  target?: string;
  node?: string;
  bps?: number;
  pps?: number;
  severity?: number;
  family?: AttackFamily;
  kind?: AttackEvent['kind'];
  attackId?: string;
  hostGroup?: string;
  direction?: AttackEvent['direction'];
  signature?: Omit<Signature, 'coverage'>;
}

export class Rig {
  readonly clock = new VirtualClock(1_000_000);
  readonly store: Store;
  readonly adapters: RecordingAdapter[];
  readonly runner: MitigationRunner;
  readonly decisions: DecisionRecord[] = [];

  constructor(
    cfg: MitigationConfigInput = baseConfig(),
    opts: {
      adapters?: number;
      store?: Store;
      instanceId?: string;
      validateOrigin?: OriginValidator;
      reuse?: RecordingAdapter[];
      start?: number;
    } = {},
  ) {
    if (opts.start !== undefined) this.clock.set(opts.start);
    this.store = opts.store ?? new MemoryStore();
    this.adapters =
      opts.reuse ??
      Array.from({ length: opts.adapters ?? 1 }, (_, i) => new RecordingAdapter(`bgp${i + 1}`, this.clock));
    this.runner = new MitigationRunner({
      config: parseMitigationConfig(cfg),
      store: this.store,
      adapters: this.adapters,
      dryRunAdapter: new DryRunAdapter('dry-run', () => this.clock.now()),
      clock: this.clock,
      timer: false,
      instanceId: opts.instanceId ?? 'x',
      ...(opts.validateOrigin ? { validateOrigin: opts.validateOrigin } : {}),
      onDecision: (d) => this.decisions.push(d),
    });
  }

  get adapter(): RecordingAdapter {
    return this.adapters[0] as RecordingAdapter;
  }

  now(): number {
    return this.clock.now();
  }

  async start(): Promise<this> {
    await this.runner.start();
    return this;
  }

  event(spec: EventSpec = {}): AttackEvent {
    const target = spec.target ?? '203.0.113.5/32';
    const node = spec.node ?? 'r1';
    const e: AttackEvent = {
      attackId: spec.attackId ?? `${target}@${node}`,
      kind: spec.kind ?? 'update',
      target,
      direction: spec.direction ?? 'incoming',
      family: spec.family ?? 'udp_flood',
      reason: 'test',
      node,
      hostGroup: spec.hostGroup ?? 'default',
      at: this.now(),
      startedAt: this.now(),
      pps: spec.pps ?? 100_000,
      bps: spec.bps ?? 3e8,
      peakPps: spec.pps ?? 100_000,
      peakBps: spec.bps ?? 3e8,
      thresholdBps: 3e7,
      severity: spec.severity ?? 10,
      signature: { coverage: 1, protocols: [17], destinationPorts: [27015], ...(spec.signature ?? {}) },
    };
    this.runner.submitEvent(e);
    return e;
  }

  async settle(): Promise<void> {
    await this.runner.idle();
  }

  /** Moves the clock to `t`, ticking at every engine deadline on the way. */
  async advanceTo(t: number): Promise<void> {
    for (let i = 0; i < 100_000; i++) {
      const d = this.runner.nextDeadline();
      if (!(d <= t)) break;
      this.clock.set(Math.max(d, this.now()));
      this.runner.tick();
      await this.runner.idle();
      if (this.runner.nextDeadline() <= this.now()) break;
    }
    this.clock.set(Math.max(t, this.now()));
    this.runner.tick();
    await this.runner.idle();
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.now() + ms);
  }

  /** Repeats an event every `everyMs` for `forMs`, ticking in between. */
  async sustain(spec: EventSpec, forMs: number, everyMs = 5000): Promise<void> {
    const end = this.now() + forMs;
    while (this.now() < end) {
      this.event(spec);
      await this.settle();
      await this.advanceTo(Math.min(end, this.now() + everyMs));
    }
  }

  actions(action: string): DecisionRecord[] {
    return this.decisions.filter((d) => d.action === action);
  }

  active(): Rule[] {
    return this.runner.listRules().active;
  }
}
