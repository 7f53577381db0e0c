// The engine's imperative shell (STYLE.md rule 7: one writer). Detection, the API, the CLI and config
// reloads submit commands here; each becomes an EngineInput processed in arrival order by the pure core,
// and the runner carries out the resulting actions: adapter calls (placement.ts: failover, locks, budget),
// store writes, the audit (audit.ts) and replies; reconcile.ts matches the adapters against the store
// after a restart. Sends for one target run in order on that target's chain.
import { hostname } from 'node:os';
import type { AttackEvent } from '../domain/attack.js';
import type { Rule } from '../domain/rule.js';
import type { MitigationConfig } from '../mitigation/config.js';
import {
  type EngineState,
  activeRules,
  createEngine,
  nextDeadline,
  queuedRules,
  step,
} from '../mitigation/engine.js';
import type {
  EngineAction,
  EngineInput,
  ManualResult,
  ManualRuleRequest,
  OriginValidator,
} from '../mitigation/types.js';
import { AdapterPool, type AdapterStats } from './adapter-pool.js';
import { appendAudit, decisionExtra, toAudit } from './audit.js';
import { type Clock, systemClock } from './clock.js';
import type { DecisionRecord, RunnerLogger, ShellContext } from './context.js';
import { type SendAction, announce, withdraw } from './placement.js';
import type { Adapter, EngineStore, HealthStatus } from './ports.js';
import { placedOn, reconcileOnStart, rehome } from './reconcile.js';

export type { DecisionRecord, RunnerLogger } from './context.js';

const silent: RunnerLogger = { info() {}, warn() {}, error() {} };

export interface RunnerOptions {
  readonly config: MitigationConfig;
  readonly store: EngineStore;
  /** Real adapters, in order of preference on equal health. */
  readonly adapters: readonly Adapter[];
  readonly clock?: Clock;
  /** Rule id prefix, unique per process start (default: host, pid and start time). */
  readonly instanceId?: string;
  readonly validateOrigin?: OriginValidator;
  /** Carries dry-run rules: the app hands in a wrapper that sends nothing (src/adapters/dry-run.ts). */
  readonly dryRunAdapter: Adapter;
  /** Run the lifecycle timer (default true); simulate and tests call tick() themselves. */
  readonly timer?: boolean;
  readonly log?: RunnerLogger;
  /** Called for every decision once carried out, in order (simulate prints these). */
  readonly onDecision?: (d: DecisionRecord) => void;
}

export interface RunnerStats {
  readonly inputs: number;
  readonly actions: number;
  readonly activeRules: number;
  readonly queuedRules: number;
  readonly pendingTasks: number;
  readonly adapters: Record<string, AdapterStats & { score: number }>;
}

export class MitigationRunner {
  private state: EngineState;
  private readonly store: EngineStore;
  private readonly clock: Clock;
  private readonly pool: AdapterPool;
  private readonly log: RunnerLogger;
  private readonly onDecision: ((d: DecisionRecord) => void) | undefined;
  private readonly timerWanted: boolean;
  private timer: ReturnType<typeof setInterval> | undefined;
  private healthTimer: ReturnType<typeof setInterval> | undefined;
  private readonly inbox: EngineInput[] = [];
  private draining = false;
  private io: Promise<void> = Promise.resolve();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly ctx: ShellContext;
  private readonly replies = new Map<string, (r: ManualResult) => void>();
  private requestSeq = 0;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private inputs = 0;
  private actionCount = 0;

  constructor(opts: RunnerOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silent;
    this.onDecision = opts.onDecision;
    this.timerWanted = opts.timer ?? true;
    this.pool = new AdapterPool(opts.adapters, opts.dryRunAdapter);
    this.ctx = {
      store: this.store,
      pool: this.pool,
      clock: this.clock,
      log: this.log,
      placement: new Map(),
      state: () => this.state,
      submit: (input) => this.submit(input),
      audit: (record) => appendAudit(this.store, this.log, record),
      decided: (d) => this.onDecision?.(d),
    };
    const instance = opts.instanceId ?? `${hostname()}-${process.pid}-${Date.now().toString(36)}-`;
    this.state = createEngine({
      config: opts.config,
      idPrefix: instance,
      sharedBudget: opts.store.budget !== undefined,
      adapters: opts.adapters.map((a) => ({ name: a.name, ...a.capabilities })),
      ...(opts.validateOrigin ? { validateOrigin: opts.validateOrigin } : {}),
    });
  }

  // ------------------------------------------------------------ lifecycle

  /** Restores active rules from the store, reconciles with the adapters, starts the timer. */
  async start(): Promise<void> {
    const { stored, resend } = await reconcileOnStart(this.ctx);
    this.submit({ type: 'restore', rules: stored, resend });
    await this.idle();
    if (this.timerWanted) {
      this.timer = setInterval(() => this.tick(), this.state.cfg.tickMs);
      this.timer.unref?.();
      this.healthTimer = setInterval(
        () => void this.checkAdapters(),
        this.state.cfg.adapterHealthCheckSeconds * 1000,
      );
      this.healthTimer.unref?.();
    }
  }

  /**
   * Tests every adapter (the pool scores by the result) and moves the rules placed on an adapter that is
   * down to the best healthy one, so a dead route injector does not silently leave targets unprotected.
   */
  async checkAdapters(): Promise<void> {
    for (const adapter of this.pool.all()) {
      let status: HealthStatus;
      try {
        status = (await adapter.test()).status;
      } catch {
        status = 'down';
      }
      this.pool.noteTest(adapter, status);
      if (status === 'down') this.rehome(adapter.name);
    }
    await this.idle();
  }

  private rehome(from: string): void {
    for (const rule of placedOn(this.ctx, from)) this.chained(rule, () => rehome(this.ctx, rule, from));
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.healthTimer !== undefined) clearInterval(this.healthTimer);
    this.timer = undefined;
    this.healthTimer = undefined;
    await this.idle();
  }

  // ------------------------------------------------------------ commands (the one queue)

  /** Detection feeds attack events here (start / update / end). */
  submitEvent(event: AttackEvent): void {
    this.submit({ type: 'event', event });
  }

  /** Manual rule (API POST /api/v1/rules, CLI rules add): through the same guards, queue and limits. */
  addRule(request: ManualRuleRequest, actor: string): Promise<ManualResult> {
    const requestId = `q${++this.requestSeq}`;
    return new Promise((resolve) => {
      this.replies.set(requestId, resolve);
      this.submit({ type: 'manual-add', requestId, actor, request });
    });
  }

  /** Withdraw any active or queued rule (API DELETE /api/v1/rules/:id, CLI rules withdraw). */
  withdrawRule(ruleId: string, actor: string, reason?: string): Promise<ManualResult> {
    const requestId = `q${++this.requestSeq}`;
    return new Promise((resolve) => {
      this.replies.set(requestId, resolve);
      this.submit({
        type: 'manual-withdraw',
        requestId,
        actor,
        ruleId,
        ...(reason !== undefined ? { reason } : {}),
      });
    });
  }

  /** Legitimate (non-matching) traffic towards a target, bits/s: feeds collateral-damage rollback. */
  reportLegitTraffic(target: string, bps: number): void {
    this.submit({ type: 'legit-traffic', target, bps });
  }

  /** A validated new mitigation section (SIGHUP, API reload): active rules are re-validated. */
  reloadConfig(config: MitigationConfig, actor = 'config'): void {
    this.submit({ type: 'config', config, actor });
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = setInterval(() => this.tick(), config.tickMs);
      this.timer.unref?.();
    }
  }

  tick(): void {
    this.submit({ type: 'tick' });
  }

  /** Active and queued rules (API GET /api/v1/rules, CLI rules list). */
  listRules(tenant?: string): { active: Rule[]; queued: Rule[] } {
    return { active: activeRules(this.state, tenant), queued: queuedRules(this.state, tenant) };
  }

  /** Earliest time a tick has work (virtual-clock drivers advance to it). */
  nextDeadline(): number {
    return nextDeadline(this.state);
  }

  get config(): MitigationConfig {
    return this.state.cfg;
  }

  stats(): RunnerStats {
    const { active, queued } = this.listRules();
    return {
      inputs: this.inputs,
      actions: this.actionCount,
      activeRules: active.length,
      queuedRules: queued.length,
      pendingTasks: this.pending,
      adapters: this.pool.snapshot(),
    };
  }

  /** Resolves once every command, store write and adapter call started so far has finished. */
  idle(): Promise<void> {
    if (this.pending === 0 && this.inbox.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private submit(input: EngineInput): void {
    this.inbox.push(input);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.inbox.length; i++) {
        const next = this.inbox[i] as EngineInput;
        this.inputs++;
        const { state, actions } = step(this.state, next, this.clock.now());
        this.state = state;
        this.perform(actions);
      }
    } finally {
      this.inbox.length = 0;
      this.draining = false;
    }
    this.checkIdle();
  }

  // ------------------------------------------------------------ effects

  private track(p: Promise<unknown>): void {
    this.pending++;
    p.catch((e: unknown) => this.log.error({ err: String(e) }, 'mitigation: effect failed')).finally(() => {
      this.pending--;
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.pending !== 0 || this.inbox.length !== 0 || this.draining) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private ioThen(fn: () => Promise<unknown>): void {
    const p = this.io.then(fn);
    this.io = p.then(
      () => undefined,
      () => undefined,
    );
    this.track(p);
  }

  private perform(actions: readonly EngineAction[]): void {
    this.actionCount += actions.length;
    // A new rule's pending state is written under the lock, after the duplicate check (see announce()).
    const lockedWrites = new Set<string>();
    for (const a of actions)
      if (a.kind === 'send' && a.op === 'announce' && a.attempt === 1) lockedWrites.add(a.rule.id);
    for (const a of actions) {
      switch (a.kind) {
        case 'decision': {
          const d = a.decision;
          this.onDecision?.(d);
          this.ioThen(() => this.ctx.audit(toAudit(d, undefined, decisionExtra(d))));
          break;
        }
        case 'persist':
          if (a.rule.state === 'pending' && lockedWrites.has(a.rule.id)) break;
          this.ioThen(() => this.store.rules.upsert(a.rule));
          break;
        case 'reply': {
          const resolve = this.replies.get(a.requestId);
          this.replies.delete(a.requestId);
          resolve?.(a.result);
          break;
        }
        case 'send':
          this.enqueueSend(a);
          break;
      }
    }
  }

  private enqueueSend(a: SendAction): void {
    this.chained(a.rule, async () => {
      await this.io; // store writes decided before this send land first
      await (a.op === 'announce' ? announce(this.ctx, a) : withdraw(this.ctx, a.rule, a.decision));
    });
  }

  /** Runs fn after every earlier send of the same target (auto rules) or rule (manual ones). */
  private chained(rule: Rule, fn: () => Promise<void>): void {
    const key = `${rule.tenant}|${rule.origin === 'auto' ? rule.target : rule.id}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const p = prev.then(fn);
    const tail = p.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    this.track(p);
  }
}
