// The engine's imperative shell (STYLE.md rule 7: one writer). Detection, the API, the CLI and config
// reloads submit commands here; each becomes an EngineInput processed in arrival order by the pure core,
// and the runner carries out the resulting actions: adapter calls (dry-run, failover, metrics), store
// writes (rules, audit with the full adapter payload) and replies. Cross-process exclusion: every
// announce checks the store under locks.withLock so two processes sharing PostgreSQL make one rule.
import { hostname } from 'node:os';
import type { AttackEvent } from '../domain/attack.js';
import type { AuditRecord } from '../domain/audit.js';
import type { Rule } from '../domain/rule.js';
import { AdapterPool, type AdapterStats } from './adapter-pool.js';
import type { Adapter, EngineStore, HealthStatus } from './ports.js';
import { type BudgetDenied, chargeBudget } from './budget-gate.js';
import { type Clock, systemClock } from './clock.js';
import type { MitigationConfig } from '../mitigation/config.js';
import {
  type EngineState,
  activeRules,
  createEngine,
  nextDeadline,
  queuedRules,
  step,
} from '../mitigation/engine.js';
import { sameRoute } from '../mitigation/intents.js';
import type {
  Decision,
  EngineAction,
  EngineInput,
  ManualResult,
  ManualRuleRequest,
  OriginValidator,
} from '../mitigation/types.js';

export interface RunnerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silent: RunnerLogger = { info() {}, warn() {}, error() {} };

/** A decision as it was carried out: the adapter that took it and whether it succeeded. */
export interface DecisionRecord extends Decision {
  readonly adapter?: string;
  readonly ok?: boolean;
  readonly payload?: unknown;
}

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
  /** Rule id → adapter that holds it. */
  private readonly placement = new Map<string, string>();
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
    const stored = await this.store.rules.list({ states: ['pending', 'announced', 'failed'] });
    const activeIds = new Set(stored.map((r) => r.id));
    let listedAll = true;
    for (const adapter of this.pool.all()) {
      let held;
      try {
        held = await adapter.list();
      } catch (e) {
        listedAll = false;
        this.log.warn(
          { adapter: adapter.name, err: String(e) },
          'mitigation: adapter list failed; not reconciled',
        );
        continue;
      }
      for (const h of held) {
        if (h.ruleId !== undefined && activeIds.has(h.ruleId)) {
          this.placement.set(h.ruleId, adapter.name);
          continue;
        }
        await this.withdrawOrphan(adapter, h.ruleId, h.target, h.description);
      }
    }
    const resend = listedAll
      ? stored.filter((r) => !r.dryRun && !this.placement.has(r.id)).map((r) => r.id)
      : [];
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
    for (const [ruleId, name] of this.placement) {
      const active = this.state.rules.get(ruleId);
      if (name !== from || active === undefined || active.rule.state !== 'announced' || active.rule.dryRun)
        continue;
      const rule = active.rule;
      // through the rule's own chain, so it cannot interleave with an escalation or withdrawal of it
      const key = `${rule.tenant}|${rule.origin === 'auto' ? rule.target : rule.id}`;
      const prev = this.chains.get(key) ?? Promise.resolve();
      const p = prev.then(async () => {
        if (this.placement.get(ruleId) !== from || !this.state.rules.has(ruleId)) return;
        const { adapter, result } = await this.pool.announce(rule, from);
        const now = this.clock.now();
        if (result.ok) this.placement.set(ruleId, adapter);
        else
          this.log.warn(
            { ruleId, from, error: result.error },
            'mitigation: could not re-home a rule off a down adapter',
          );
        await this.audit({
          at: now,
          actor: 'engine',
          action: result.ok ? 'announce' : 'retry',
          tenant: rule.tenant,
          target: rule.target,
          ruleId,
          ...(rule.attackId !== undefined ? { attackId: rule.attackId } : {}),
          adapter,
          dryRun: false,
          reason: `re-homed: adapter ${from} is down${result.ok ? ` — now on ${adapter}` : ` — FAILED: ${result.error ?? 'error'}`}`,
          payload: result.payload,
        });
      });
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

  private async withdrawOrphan(
    adapter: Adapter,
    ruleId: string | undefined,
    target: string,
    description: string,
  ): Promise<void> {
    const rule = ruleId !== undefined ? await this.store.rules.get(ruleId) : undefined;
    const at = this.clock.now();
    if (rule === undefined) {
      this.log.warn(
        { adapter: adapter.name, target, description },
        'mitigation: orphan without a known rule; withdraw it by hand',
      );
      await this.audit({
        at,
        actor: 'engine',
        action: 'reject',
        tenant: '-',
        target,
        adapter: adapter.name,
        dryRun: false,
        reason: `orphan on ${adapter.name} without a known rule id: ${description}`,
      });
      return;
    }
    const { result } = await this.pool.call(adapter, 'withdraw', rule);
    await this.audit({
      at,
      actor: 'engine',
      action: 'withdraw',
      tenant: rule.tenant,
      target: rule.target,
      ruleId: rule.id,
      adapter: adapter.name,
      dryRun: false,
      reason: `restart: orphan no longer active${result.ok ? '' : ` — FAILED: ${result.error ?? 'error'}`}`,
      payload: result.payload,
    });
    if (rule.state !== 'withdrawn') await this.store.rules.upsert({ ...rule, state: 'withdrawn' });
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
          this.ioThen(() => this.audit(toAudit(d, undefined, extra(d))));
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

  private enqueueSend(a: Extract<EngineAction, { kind: 'send' }>): void {
    const key = `${a.rule.tenant}|${a.rule.origin === 'auto' ? a.rule.target : a.rule.id}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const p = prev.then(() => (a.op === 'announce' ? this.announce(a) : this.withdraw(a.rule, a.decision)));
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

  private lockKey(rule: Rule): string {
    return `mitigation:${rule.tenant}:${rule.target}`;
  }

  private async announce(a: Extract<EngineAction, { kind: 'send' }>): Promise<void> {
    const { rule, previous } = a;
    await this.io; // store writes decided before this send land first
    let denied: BudgetDenied | undefined;
    const adopted = await this.store.locks.withLock(this.lockKey(rule), async () => {
      if (rule.origin === 'auto' && a.attempt === 1) {
        const now = this.clock.now();
        const held = (
          await this.store.rules.list({
            tenant: rule.tenant,
            target: rule.target,
            states: ['pending', 'announced'],
          })
        ).find(
          (r) =>
            r.origin === 'auto' &&
            r.id !== rule.id &&
            r.id !== previous?.id &&
            !this.state.rules.has(r.id) &&
            r.expiresAt > now,
        );
        if (held !== undefined) return held;
      }
      // cluster-wide budget (shared store only); an admitted first attempt is written pending by the charge
      denied = await chargeBudget(this.store, this.state, a, this.clock.now());
      if (denied !== undefined) return undefined;
      if (a.attempt === 1) await this.store.rules.upsert(rule);
      const { adapter, result } = await this.pool.announce(rule);
      if (result.ok) this.placement.set(rule.id, adapter);
      await this.audit(toAudit(a.decision, adapter, result.payload, result.ok ? undefined : result.error));
      this.onDecision?.({ ...a.decision, adapter, ok: result.ok, payload: result.payload });
      if (result.ok && previous !== undefined) {
        const prevAdapter = this.placement.get(previous.id);
        // On the same route of the same adapter the announcement replaced the previous one in place, and a
        // withdraw would take the new one down too — unless the adapter owns routes per rule (native speaker).
        const inPlace =
          sameRoute(previous, rule) &&
          prevAdapter === adapter &&
          this.pool.byName(adapter)?.capabilities.routesByRule !== true;
        if (!inPlace) {
          await this.withdrawOn(
            { ...previous, state: 'withdrawn' },
            {
              ...a.decision,
              action: 'withdraw',
              // the record names the withdrawn rule, not its replacement (a diversion's /24 differs)
              target: previous.target,
              ruleId: previous.id,
              intent: previous.intent,
              level: previous.level,
              reason: `replaced by ${rule.id}`,
            },
          );
        } else {
          this.placement.delete(previous.id);
          await this.audit(
            toAudit(
              {
                ...a.decision,
                action: 'withdraw',
                target: previous.target,
                ruleId: previous.id,
                intent: previous.intent,
                level: previous.level,
                reason: `replaced in place by ${rule.id} (same route)`,
              },
              adapter,
              { note: 'same route re-announced; nothing withdrawn' },
            ),
          );
        }
        await this.store.rules.upsert({ ...previous, state: 'withdrawn' });
      }
      this.submit({
        type: 'adapter-result',
        ruleId: rule.id,
        op: 'announce',
        ok: result.ok,
        retryable: result.retryable === true,
        ...(result.error !== undefined ? { error: result.error } : {}),
        adapter,
      });
      return undefined;
    });
    if (adopted !== undefined) this.submit({ type: 'adopt', ruleId: rule.id, held: adopted });
    if (denied !== undefined) this.submit(denied);
  }

  private async withdraw(rule: Rule, decision: Decision): Promise<void> {
    await this.io;
    await this.store.locks.withLock(this.lockKey(rule), async () => {
      const ok = await this.withdrawOn(rule, decision);
      this.submit({
        type: 'adapter-result',
        ruleId: rule.id,
        op: 'withdraw',
        ok: ok.ok,
        retryable: ok.retryable,
        ...(ok.error ? { error: ok.error } : {}),
        adapter: ok.adapter,
      });
    });
  }

  /** Withdraw from the adapter holding the rule, or from every adapter able to (idempotent) when unknown. */
  private async withdrawOn(
    rule: Rule,
    decision: Decision,
  ): Promise<{ ok: boolean; retryable: boolean; error?: string; adapter: string }> {
    const placed = this.placement.get(rule.id);
    // Two rules can share one route (two hosts of one /24 diverted to scrubbing): keep it while another needs it.
    // (An adapter that owns routes per rule keeps a shared route by itself: withdraw by id is always safe.)
    const byRule = placed !== undefined && this.pool.byName(placed)?.capabilities.routesByRule === true;
    const sharer = byRule
      ? undefined
      : activeRules(this.state).find(
          (r) => r.id !== rule.id && sameRoute(r, rule) && this.placement.get(r.id) === placed,
        );
    if (placed !== undefined && sharer !== undefined) {
      this.placement.delete(rule.id);
      await this.audit(
        toAudit(
          { ...decision, reason: `${decision.reason}; route kept: rule ${sharer.id} still needs it` },
          placed,
          { note: 'shared route kept' },
        ),
      );
      this.onDecision?.({
        ...decision,
        reason: `${decision.reason}; route kept: rule ${sharer.id} still needs it`,
        adapter: placed,
        ok: true,
      });
      return { ok: true, retryable: false, adapter: placed };
    }
    const targets =
      placed !== undefined
        ? [this.pool.byName(placed)].filter((x): x is Adapter => x !== undefined)
        : this.pool.candidates(rule);
    if (targets.length === 0) {
      // Never announced anywhere (it failed or waited): nothing to take down.
      await this.audit(toAudit(decision, '-', { note: 'no adapter held the rule' }));
      this.onDecision?.({ ...decision, adapter: '-', ok: true });
      return { ok: true, retryable: false, adapter: '-' };
    }
    let ok = true;
    let retryable = false;
    let error: string | undefined;
    let name = '-';
    for (const adapter of targets) {
      const out = await this.pool.call(adapter, 'withdraw', rule);
      name = out.adapter;
      await this.audit(
        toAudit(decision, out.adapter, out.result.payload, out.result.ok ? undefined : out.result.error),
      );
      this.onDecision?.({
        ...decision,
        adapter: out.adapter,
        ok: out.result.ok,
        payload: out.result.payload,
      });
      if (!out.result.ok) {
        ok = false;
        retryable ||= out.result.retryable === true;
        error = out.result.error;
      }
    }
    if (ok) this.placement.delete(rule.id);
    return { ok, retryable, ...(error !== undefined ? { error } : {}), adapter: name };
  }

  private async audit(record: AuditRecord): Promise<void> {
    try {
      await this.store.audit.append(record);
    } catch (e) {
      this.log.error(
        { err: String(e), action: record.action, target: record.target },
        'mitigation: audit append failed',
      );
    }
  }
}

function extra(d: Decision): unknown {
  return {
    ...(d.intent !== undefined ? { intent: d.intent } : {}),
    ...(d.level !== undefined ? { level: d.level } : {}),
    ...(d.confidence !== undefined ? { confidence: d.confidence } : {}),
  };
}

function toAudit(d: Decision, adapter: string | undefined, payload: unknown, error?: string): AuditRecord {
  return {
    at: d.at,
    actor: d.actor,
    action: d.action,
    tenant: d.tenant,
    target: d.target,
    ...(d.ruleId !== undefined ? { ruleId: d.ruleId } : {}),
    ...(d.attackId !== undefined ? { attackId: d.attackId } : {}),
    ...(adapter !== undefined ? { adapter } : {}),
    dryRun: d.dryRun,
    reason: error !== undefined ? `${d.reason} — FAILED: ${error}` : d.reason,
    ...(payload !== undefined ? { payload } : {}),
  };
}
