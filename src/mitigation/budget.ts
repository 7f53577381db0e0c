// Cluster-wide budget, engine side (issue 10 item 6). With a shared store (PostgreSQL) the runner charges
// every announcement against the tenant's budget in the store (src/store/budget.ts) before sending it;
// when the store refuses (another process used the window or the cap), this undoes the local deployment
// and puts the rule back in the queue — the rule it replaces stays — and holds the tenant's queue until
// the budget can have room. After a refusal, deployments go one at a time (a probe) until the store
// admits one, so a full cluster budget costs one store round trip per retry time, not one per queued rule.
// Without a shared store nothing here is ever triggered: the local window and cap are the whole budget.
import { type EngineState, type TenantState, decideFor, ruleDecision, tenantState } from './engine-state.js';
import type { QueueItem } from './queue.js';
import type { SlidingWindow } from './rate-limit.js';
import type { EngineAction, EngineInput } from './types.js';

export interface SharedBudget {
  /** The tenant's queue waits until then: the shared store refused a deployment. */
  holdUntil: number;
  /** Since the last refusal no deployment was admitted: deploy one at a time. */
  probing: boolean;
  /** The probe in flight (rule id). */
  probe: string | undefined;
  /** Why the store refused last, for the queue decision. */
  why: string;
}

export function newSharedBudget(): SharedBudget {
  return { holdUntil: -Infinity, probing: false, probe: undefined, why: '' };
}

/** Whether the shared budget lets the pump deploy the tenant's next item now. */
export function sharedAllows(s: EngineState, t: TenantState, now: number): boolean {
  const b = t.shared;
  if (now < b.holdUntil) return false;
  if (!b.probing) return true;
  if (b.probe !== undefined) {
    const ar = s.rules.get(b.probe);
    if (ar !== undefined && ar.inFlight) return false; // its answer is not in yet
    if (ar !== undefined) {
      // the adapter answered, so the store admitted it: back to normal pumping
      b.probing = false;
      b.probe = undefined;
      return true;
    }
    b.probe = undefined; // refused again (back in the queue) or withdrawn meanwhile
  }
  return true;
}

/**
 * With a shared budget, a replacement waits while the rule it replaces is still on its way: that rule
 * may yet be refused, and then the rule *it* replaces is the one on the routers that the replacement
 * must take over (make-before-break needs to know which one).
 */
export function waitsForPrevious(s: EngineState, previousId: string | undefined): boolean {
  if (!s.sharedBudget || previousId === undefined) return false;
  return s.rules.get(previousId)?.inFlight === true;
}

/** Called by the pump after a deployment: while probing, it is the probe. */
export function noteDeployed(t: TenantState, ruleId: string): void {
  if (t.shared.probing) t.shared.probe = ruleId;
}

/** The time a held queue is due again (Infinity when none). */
export function sharedDeadline(t: TenantState, lastNow: number): number {
  return t.queue.length > 0 && t.shared.holdUntil > lastNow ? t.shared.holdUntil : Infinity;
}

/** Removes one deployment time recorded at `at` (a send that never happened). */
function unrecord(w: SlidingWindow, at: number): void {
  for (let i = w.times.length - 1; i >= w.head; i--) {
    if (w.times[i] === at) {
      w.times.splice(i, 1);
      return;
    }
  }
}

export function onBudgetDenied(
  s: EngineState,
  d: Extract<EngineInput, { type: 'budget-denied' }>,
  now: number,
  out: EngineAction[],
): void {
  const ar = s.rules.get(d.ruleId);
  if (ar === undefined) return; // withdrawn meanwhile: nothing was sent, nothing to undo
  const t = tenantState(s, ar.rule.tenant);
  const b = t.shared;
  const wasProbe = b.probe === ar.rule.id;
  b.holdUntil = Math.max(b.holdUntil, d.retryAt);
  b.probing = true;
  if (wasProbe) b.probe = undefined;
  b.why = d.why;
  ar.inFlight = false;
  if (d.attempt > 1) {
    // a retry: the rule stays where it is and tries again once the budget can have room
    ar.attempt--;
    ar.retryAt = d.retryAt;
    return;
  }
  unrecord(t.window, ar.rule.createdAt);
  s.rules.delete(ar.rule.id);
  const prev = ar.replaces;
  if (prev !== undefined) {
    // the rule it was to replace never left the routers (make-before-break): it stands again
    s.rules.set(prev.id, {
      rule: prev,
      key: ar.key,
      expiresAt: Math.max(prev.expiresAt, ar.expiresAt),
      persistedExpiresAt: prev.expiresAt,
      attempt: 1,
      retryAt: NaN,
      inFlight: false,
      replaces: undefined,
      action: 'announce',
    });
  } else t.active = Math.max(0, t.active - 1);
  const entry = ar.rule.origin === 'auto' ? s.targets.get(ar.key) : undefined;
  if (entry !== undefined && entry.ruleId === ar.rule.id) entry.ruleId = prev?.id;
  const i = t.queue.findIndex((q) => q.key === ar.key);
  if (i >= 0) {
    // a newer decision for the target already waits: it wins, and replaces what stands now
    const { previous: _stale, ...rest } = t.queue[i] as QueueItem;
    t.queue[i] = prev !== undefined ? { ...rest, previous: prev } : rest;
  } else {
    const item: QueueItem = {
      key: ar.key,
      tenant: ar.rule.tenant,
      rule: ar.rule,
      ...(prev !== undefined ? { previous: prev } : {}),
      action: ar.action,
      actor: d.actor,
      reason: d.reason,
      ...(d.confidence !== undefined ? { confidence: d.confidence } : {}),
      enqueuedAt: now,
      queuedNoticed: true,
      priority: false,
    };
    // first in line after the priority items: it was deployed before everything still queued
    let at = 0;
    while (at < t.queue.length && (t.queue[at] as QueueItem).priority) at++;
    t.queue.splice(at, 0, item);
  }
  if (!wasProbe) {
    decideFor(out, ruleDecision('queue', ar.rule, now, `cluster budget: ${d.why}; waiting`, d.actor));
  }
}
