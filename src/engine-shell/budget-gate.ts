// Shell side of the cluster-wide budget: charges one announcement against the tenant's budget in the
// shared store (src/store/budget.ts) and, when refused, says so as an engine input (budget.ts undoes the
// deployment and queues it again). Stores without a budget (SQLite: one process) admit everything here;
// the engine's own window and cap already decided.
import type { EngineStore } from './ports.js';
import { type EngineState, capOf, rateOf } from '../mitigation/engine-state.js';
import type { EngineAction, EngineInput } from '../mitigation/types.js';

type Send = Extract<EngineAction, { kind: 'send' }>;
export type BudgetDenied = Extract<EngineInput, { type: 'budget-denied' }>;

/** Charges `a` (an announce) at `now`; undefined when admitted. Call under the rule's target lock. */
export async function chargeBudget(
  store: EngineStore,
  s: EngineState,
  a: Send,
  now: number,
): Promise<BudgetDenied | undefined> {
  if (store.budget === undefined) return undefined;
  const { rule, previous } = a;
  const limit = rateOf(s, rule.tenant);
  const cap = capOf(s, rule.tenant);
  const windowMs = s.cfg.limits.rateWindowMs;
  const first = a.attempt === 1;
  const answer = await store.budget.charge({
    tenant: rule.tenant,
    ruleId: rule.id,
    at: now,
    limit,
    windowMs,
    cap,
    adds: first && previous === undefined,
    ...(previous !== undefined ? { replaces: previous.id } : {}),
    ...(first ? { rule } : {}),
  });
  if (answer.ok) return undefined;
  const why =
    answer.reason === 'rate'
      ? `${answer.deployments} deployments of tenant ${rule.tenant} in the last ${windowMs / 1000} s across all processes (limit ${limit})`
      : `${answer.active} active rules of tenant ${rule.tenant} across all processes (cap ${cap})`;
  return {
    type: 'budget-denied',
    ruleId: rule.id,
    attempt: a.attempt,
    retryAt: answer.retryAt,
    why,
    actor: a.decision.actor,
    reason: a.decision.reason,
    ...(a.decision.confidence !== undefined ? { confidence: a.decision.confidence } : {}),
  };
}
