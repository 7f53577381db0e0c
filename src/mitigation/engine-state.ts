// Engine state and the small helpers every stage shares (ids, tenants, policies, decisions).
import type { EscalationLevel, Rule } from '../domain/rule.js';
import type { AggregateView, NodeReport } from './aggregate.js';
import { type SharedBudget, newSharedBudget } from './budget.js';
import { type CarryCapabilities, type CarryTable, compileCarry } from './carry.js';
import type { MitigationConfig, PolicyConfig } from './config.js';
import { type GuardContext, compileGuards, unknownOrigin } from './guards.js';
import type { MatchDepth } from './match.js';
import type { QueueItem } from './queue.js';
import { type SlidingWindow, newWindow } from './rate-limit.js';
import type { Decision, DecisionAction, EngineAction, OriginValidator } from './types.js';

export interface TargetEntry {
  readonly key: string;
  readonly tenant: string;
  readonly target: string;
  readonly reports: Map<string, NodeReport>;
  readonly windowEndsAt: number;
  /** The tick at the end of the aggregation window has evaluated this entry. */
  windowChecked: boolean;
  /** Time of the last start/update event: the TTL counts from here. */
  lastEventAt: number;
  alerted: boolean;
  /** A rule for this target is queued or active. */
  acting: boolean;
  ruleId: string | undefined;
  /** Latest decided level (queued or active). */
  level: EscalationLevel;
  levelChangedAt: number;
  cap: EscalationLevel;
  depth: MatchDepth;
  rejectKey: string | undefined;
  view: AggregateView | undefined;
  failedUntil: number;
  /** Legitimate traffic measured before the current rule, bits/s. */
  legitBaseline: number | undefined;
  /** Levels whose announcement no adapter took (render error, refusal): skipped from now on, with why. */
  readonly refused: Map<EscalationLevel, string>;
  /** Last fallback alert raised, so one is raised per change of circumstance, not per event. */
  fallbackNote: string | undefined;
  /** The rule whose route last refused this target's change (one 'reject' per holder, not per event). */
  routeBlockedBy: string | undefined;
}

export interface ActiveRule {
  rule: Rule;
  /** Entry key (auto) or "manual:<id>"; a shared diversion passes to another target when its owner moves on. */
  key: string;
  expiresAt: number;
  persistedExpiresAt: number;
  attempt: number;
  /** When a failed announce is due again; NaN when none is due. */
  retryAt: number;
  inFlight: boolean;
  /** The rule this one replaces, still on the routers until this one is announced. */
  replaces: Rule | undefined;
  action: DecisionAction;
}

export interface Withdrawing {
  readonly rule: Rule;
  attempt: number;
  retryAt: number;
  readonly decision: Decision;
}

export interface TenantState {
  queue: QueueItem[];
  window: SlidingWindow;
  active: number;
  /** The cluster-wide budget's answers (budget.ts); idle without a shared store. */
  readonly shared: SharedBudget;
}

export interface EngineState {
  cfg: MitigationConfig;
  guards: GuardContext;
  /** What the real adapters carry; undefined = everything (no adapter information, e.g. unit tests). */
  carry: CarryTable | undefined;
  readonly carryCaps: readonly CarryCapabilities[] | undefined;
  readonly idPrefix: string;
  seq: number;
  readonly targets: Map<string, TargetEntry>;
  readonly rules: Map<string, ActiveRule>;
  readonly tenants: Map<string, TenantState>;
  readonly withdrawing: Map<string, Withdrawing>;
  /** Target key → time until which auto rules stay off (after a manual withdraw). */
  readonly suppressed: Map<string, number>;
  /** Target → last legitimate rate seen while no rule stood, bits/s. */
  readonly legit: Map<string, number>;
  /** Time of the last step (deadlines at or before it are not due again). */
  lastNow: number;
  /** Announcements can be refused by a budget shared with other processes (budget.ts). */
  readonly sharedBudget: boolean;
}

export interface EngineOptions {
  readonly config: MitigationConfig;
  /** Prefix of rule ids, unique per process start so that processes sharing a store never collide. */
  readonly idPrefix: string;
  readonly validateOrigin?: OriginValidator;
  /** The store charges every announcement against a budget shared with other processes (budget.ts). */
  readonly sharedBudget?: boolean;
  /** Capability flags of the real adapters (dry-run rules ignore them: the dry-run adapter takes all). */
  readonly adapters?: readonly CarryCapabilities[];
}

export function createEngine(opts: EngineOptions): EngineState {
  return {
    cfg: opts.config,
    guards: compileGuards(opts.config, opts.validateOrigin ?? unknownOrigin),
    carry: opts.adapters ? compileCarry(opts.adapters, opts.config) : undefined,
    carryCaps: opts.adapters,
    idPrefix: opts.idPrefix,
    seq: 0,
    targets: new Map(),
    rules: new Map(),
    tenants: new Map(),
    withdrawing: new Map(),
    suppressed: new Map(),
    legit: new Map(),
    lastNow: -Infinity,
    sharedBudget: opts.sharedBudget === true,
  };
}

export const ENGINE = 'engine';

export function nextId(s: EngineState): string {
  s.seq++;
  return `${s.idPrefix}${s.seq.toString(36).padStart(6, '0')}`;
}

export function tenantState(s: EngineState, tenant: string): TenantState {
  let t = s.tenants.get(tenant);
  if (t === undefined) {
    t = { queue: [], window: newWindow(), active: 0, shared: newSharedBudget() };
    s.tenants.set(tenant, t);
  }
  return t;
}

export function capOf(s: EngineState, tenant: string): number {
  return s.cfg.tenants[tenant]?.maxActiveRules ?? s.cfg.limits.maxActiveRulesPerTenant;
}

export function rateOf(s: EngineState, tenant: string): number {
  return s.cfg.tenants[tenant]?.deploymentsPerWindow ?? s.cfg.limits.deploymentsPerWindow;
}

export function policyFor(
  s: EngineState,
  hostGroup: string | undefined,
): { name: string; policy: PolicyConfig } {
  const name =
    (hostGroup !== undefined ? s.cfg.hostGroupPolicies[hostGroup] : undefined) ?? s.cfg.defaultPolicy;
  const policy = s.cfg.policies[name] ?? s.cfg.policies[s.cfg.defaultPolicy];
  if (policy === undefined) throw new Error(`mitigation config has no policy "${name}"`); // schema forbids this
  return { name, policy };
}

export function decide(
  out: EngineAction[],
  d: Omit<Decision, 'actor' | 'dryRun'> & { actor?: string; dryRun?: boolean },
  s: EngineState,
): Decision {
  const decision: Decision = { actor: ENGINE, dryRun: s.cfg.dryRun, ...d };
  out.push({ kind: 'decision', decision });
  return decision;
}

export function ruleDecision(
  action: DecisionAction,
  rule: Rule,
  now: number,
  reason: string,
  actor: string,
  confidenceScore?: number,
): Decision {
  return {
    at: now,
    action,
    actor,
    tenant: rule.tenant,
    target: rule.target,
    intent: rule.intent,
    level: rule.level,
    ruleId: rule.id,
    ...(rule.attackId !== undefined ? { attackId: rule.attackId } : {}),
    dryRun: rule.dryRun,
    reason,
    ...(confidenceScore !== undefined ? { confidence: confidenceScore } : {}),
  };
}

export function ttlMs(s: EngineState): number {
  return s.cfg.ttlSeconds * 1000;
}

export function backoff(s: EngineState, attempt: number): number {
  const r = s.cfg.retry;
  return Math.min(r.maxMs, r.initialMs * Math.pow(r.factor, Math.max(0, attempt - 1)));
}

export function decideFor(out: EngineAction[], decision: Decision): void {
  out.push({ kind: 'decision', decision });
}

export function finishEntry(s: EngineState, entry: TargetEntry): void {
  s.targets.delete(entry.key);
}
