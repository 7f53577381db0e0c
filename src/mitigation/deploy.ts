// Queue → rate-limit → announce, and withdrawal: the one place that announces (deploy) validates
// every rule against the guards right before the send; TTL refresh of standing rules.
import type { Rule } from '../domain/rule.js';
import {
  type ActiveRule,
  type EngineState,
  type TargetEntry,
  type TenantState,
  ENGINE,
  capOf,
  decideFor,
  finishEntry,
  rateOf,
  ruleDecision,
  tenantState,
  ttlMs,
} from './engine-state.js';
import { validateRule } from './guards.js';
import { routeKey, sameRoute } from './intents.js';
import { type QueueItem, coalesce } from './queue.js';
import { canDeploy, recordDeployment } from './rate-limit.js';
import { noteDeployed, sharedAllows, waitsForPrevious } from './budget.js';
import type { DecisionAction, EngineAction } from './types.js';
import { transition } from '../domain/rule-lifecycle.js';

export function refresh(s: EngineState, ar: ActiveRule, now: number, out: EngineAction[]): void {
  ar.expiresAt = now + ttlMs(s);
  // Persist the refreshed expiry at most every tenth of a TTL, so a restart never withdraws too early by more.
  if (ar.expiresAt - ar.persistedExpiresAt >= ttlMs(s) / 10) {
    ar.rule = { ...ar.rule, expiresAt: ar.expiresAt };
    ar.persistedExpiresAt = ar.expiresAt;
    out.push({ kind: 'persist', rule: ar.rule });
  }
}

export function enqueue(s: EngineState, item: QueueItem, now: number, out: EngineAction[]): void {
  const t = tenantState(s, item.tenant);
  t.queue = coalesce(t.queue, item);
  pump(s, item.tenant, now, out);
}

/** Deploys queued items in order while the rate window and the cap allow; the rest keep waiting. */
export function pump(s: EngineState, tenant: string, now: number, out: EngineAction[]): void {
  const t = s.tenants.get(tenant);
  if (t === undefined || t.queue.length === 0) return;
  const limit = rateOf(s, tenant);
  const windowMs = s.cfg.limits.rateWindowMs;
  const cap = capOf(s, tenant);
  const waiting: QueueItem[] = [];
  for (const item of t.queue) {
    const entry = item.rule.origin === 'auto' ? s.targets.get(item.key) : undefined;
    if (item.rule.origin === 'auto' && (entry === undefined || !entry.acting)) continue; // superseded
    if (entry !== undefined && entry.lastEventAt + ttlMs(s) <= now) {
      decideFor(
        out,
        ruleDecision(
          'withdraw',
          item.rule,
          now,
          'TTL ran out while the rule waited in the queue',
          item.actor,
        ),
      );
      finishEntry(s, entry);
      continue;
    }
    // a rule other targets share is not replaced but left to them: the owner's next rule counts as new
    const replacing =
      item.previous !== undefined &&
      s.rules.has(item.previous.id) &&
      sharerOf(s, item.previous.id, item.key) === undefined;
    const capped = !replacing && t.active >= cap;
    const limited = !canDeploy(t.window, now, limit, windowMs);
    if (waitsForPrevious(s, item.previous?.id)) {
      waiting.push(item); // for a moment: until the result of the rule it replaces is in
      continue;
    }
    const held = !capped && !limited && !sharedAllows(s, t, now);
    if (capped || limited || held) {
      if (!item.queuedNoticed) {
        item.queuedNoticed = true;
        const why = held
          ? `cluster budget: ${t.shared.why}; waiting`
          : limited
            ? `rate limit: ${limit} deployments per ${windowMs / 1000} s reached, waiting`
            : `cap: ${cap} active rules reached, waiting for one to end`;
        decideFor(out, ruleDecision('queue', item.rule, now, why, item.actor));
      }
      waiting.push(item);
      continue;
    }
    deploy(s, t, item, replacing, now, out);
    noteDeployed(t, item.rule.id);
  }
  t.queue = waiting;
}

/** The one place that announces: guards, then the rate window, then the send. */
export function deploy(
  s: EngineState,
  t: TenantState,
  item: QueueItem,
  replacingIn: boolean,
  now: number,
  out: EngineAction[],
): void {
  let replacing = replacingIn;
  const v = validateRule(s.guards, item.rule);
  const entry = item.rule.origin === 'auto' ? s.targets.get(item.key) : undefined;
  if (!v.ok) {
    decideFor(out, ruleDecision('reject', item.rule, now, v.reason, item.actor));
    if (entry !== undefined && entry.ruleId === undefined) finishEntry(s, entry);
    return;
  }
  // One route, one rule (issue 19 item 4): a manual duplicate is refused; an auto rule takes over a manual
  // rule's route in place, or joins another target's rule on the same route (a shared /24 diversion).
  let previous = replacing ? item.previous : undefined;
  const holder = routeHolder(s, v.rule, previous?.id);
  if (holder !== undefined) {
    const held = `rule ${holder.rule.id} (${holder.rule.origin} ${holder.rule.intent} ${holder.rule.target}) already holds this route`;
    if (item.rule.origin === 'manual' || (holder.rule.origin === 'manual' && previous !== undefined)) {
      // once per holder for an auto target (its next events would ask again)
      if (entry === undefined || entry.routeBlockedBy !== holder.rule.id)
        decideFor(out, ruleDecision('reject', item.rule, now, `duplicate route: ${held}`, item.actor));
      if (entry !== undefined) {
        entry.routeBlockedBy = holder.rule.id;
        settle(s, entry);
      }
      return;
    }
    if (holder.rule.origin === 'auto' && entry !== undefined) {
      join(s, entry, holder, item, now, out);
      return;
    }
    previous = holder.rule; // an auto rule replaces a manual one on its route, in place
    replacing = true;
  }
  // A rule other targets share stays for them (pump counted this deployment as a new rule).
  if (!replacing && item.previous !== undefined && entry !== undefined) {
    const sharer = sharerOf(s, item.previous.id, entry.key);
    const shared = s.rules.get(item.previous.id);
    if (sharer !== undefined && shared !== undefined) {
      shared.key = sharer.key;
      shared.expiresAt = Math.max(shared.expiresAt, sharer.lastEventAt + ttlMs(s));
    }
  }
  const expiresAt = entry !== undefined ? entry.lastEventAt + ttlMs(s) : now + item.rule.ttlSeconds * 1000;
  const rule: Rule = { ...v.rule, createdAt: now, expiresAt, state: 'pending' };
  t.window = recordDeployment(t.window, now, s.cfg.limits.rateWindowMs, rateOf(s, item.tenant));
  if (previous !== undefined) s.rules.delete(previous.id);
  else t.active++;
  s.rules.set(rule.id, {
    rule,
    key: item.key,
    expiresAt,
    persistedExpiresAt: expiresAt,
    attempt: 1,
    retryAt: NaN,
    inFlight: true,
    replaces: previous,
    action: item.action,
  });
  if (entry !== undefined) {
    entry.ruleId = rule.id;
    entry.levelChangedAt = now;
    entry.legitBaseline = entry.legitBaseline ?? s.legit.get(entry.target);
  }
  const reason = v.note !== undefined ? `${item.reason}; ${v.note}` : item.reason;
  out.push({ kind: 'persist', rule });
  out.push({
    kind: 'send',
    op: 'announce',
    rule,
    ...(previous ? { previous } : {}),
    attempt: 1,
    decision: ruleDecision(item.action, rule, now, reason, item.actor, item.confidence),
  });
}

export function withdraw(
  s: EngineState,
  ar: ActiveRule,
  now: number,
  action: DecisionAction,
  reason: string,
  actor: string,
  out: EngineAction[],
): void {
  s.rules.delete(ar.rule.id);
  const t = tenantState(s, ar.rule.tenant);
  t.active = Math.max(0, t.active - 1);
  const rule: Rule = transition(ar.rule, 'withdraw', { expiresAt: Math.min(ar.rule.expiresAt, now) });
  const decision = ruleDecision(action, rule, now, reason, actor);
  s.withdrawing.set(rule.id, { rule, attempt: 1, retryAt: NaN, decision });
  out.push({ kind: 'persist', rule });
  out.push({ kind: 'send', op: 'withdraw', rule, attempt: 1, decision });
  // A replacement that never made it leaves the rule it replaced on the routers: take that down too.
  if (ar.replaces !== undefined && ar.rule.state !== 'announced') {
    const prev: Rule = transition(ar.replaces, 'withdraw');
    const d = ruleDecision('withdraw', prev, now, `replacement ${ar.rule.id} withdrawn`, actor);
    s.withdrawing.set(prev.id, { rule: prev, attempt: 1, retryAt: NaN, decision: d });
    out.push({ kind: 'persist', rule: prev });
    out.push({ kind: 'send', op: 'withdraw', rule: prev, attempt: 1, decision: d });
  }
}

/**
 * An announcement that will not be made (refused, or out of retries): the rule leaves the active set, and
 * the rule it was to replace — still on the routers, since a replacement is withdrawn only after its
 * successor is confirmed — stands again. Returns that rule, if any. Nothing is withdrawn from a route the
 * standing rule shares (a same-NLRI replacement): that would take the standing rule down with it.
 */
export function abandon(
  s: EngineState,
  ar: ActiveRule,
  now: number,
  reason: string,
  out: EngineAction[],
): Rule | undefined {
  s.rules.delete(ar.rule.id);
  const gone: Rule = transition(ar.rule, 'withdraw', { expiresAt: Math.min(ar.rule.expiresAt, now) });
  const decision = ruleDecision('reject', gone, now, reason, ENGINE);
  out.push({ kind: 'persist', rule: gone });
  const prev = ar.replaces;
  if (prev !== undefined && sameRoute(prev, gone)) decideFor(out, decision);
  else {
    s.withdrawing.set(gone.id, { rule: gone, attempt: 1, retryAt: NaN, decision });
    out.push({ kind: 'send', op: 'withdraw', rule: gone, attempt: 1, decision });
  }
  if (prev === undefined) {
    const t = tenantState(s, ar.rule.tenant);
    t.active = Math.max(0, t.active - 1);
    return undefined;
  }
  // an auto rule lives on by its own target's events: the replacement's expiry may have been stretched by
  // other targets sharing its wider route (a /24 diversion), which do not keep this /32 alive
  const entry = prev.origin === 'auto' ? s.targets.get(ar.key) : undefined;
  const expiresAt =
    entry !== undefined ? Math.max(prev.expiresAt, entry.lastEventAt + ttlMs(s)) : prev.expiresAt;
  if (expiresAt <= now) {
    // its time ran out while the replacement was tried: it does not come back, it goes
    const t = tenantState(s, ar.rule.tenant);
    t.active = Math.max(0, t.active - 1);
    const old: Rule = transition(prev, 'withdraw', { expiresAt: Math.min(prev.expiresAt, now) });
    const d = ruleDecision(
      'withdraw',
      old,
      now,
      `expired while its replacement ${ar.rule.id} was tried`,
      ENGINE,
    );
    s.withdrawing.set(old.id, { rule: old, attempt: 1, retryAt: NaN, decision: d });
    out.push({ kind: 'persist', rule: old });
    out.push({ kind: 'send', op: 'withdraw', rule: old, attempt: 1, decision: d });
    return undefined;
  }
  // Only a rule the routers confirmed stands again as announced; one whose own announcement had not gone
  // through yet (pending, or failed and waiting for a retry) is retried now — never reported as in place.
  const confirmed = prev.state === 'announced';
  const back: Rule = confirmed ? transition(prev, 'reinstate') : prev;
  s.rules.set(back.id, {
    rule: back,
    key: prev.origin === 'auto' ? ar.key : `manual:${prev.id}`,
    expiresAt,
    persistedExpiresAt: prev.expiresAt,
    attempt: 1,
    retryAt: confirmed ? NaN : now,
    inFlight: false,
    replaces: undefined,
    action: 'announce',
  });
  out.push({ kind: 'persist', rule: back });
  decideFor(
    out,
    ruleDecision(
      'refresh',
      back,
      now,
      confirmed
        ? `stays: its replacement ${ar.rule.id} was not announced`
        : `announced again: its replacement ${ar.rule.id} was not announced and it was not in place either`,
      ENGINE,
    ),
  );
  return back;
}

/** The active rule other than `except` on the same network route as `rule`, if any. */
export function routeHolder(s: EngineState, rule: Rule, except?: string): ActiveRule | undefined {
  const key = routeKey(rule);
  for (const ar of s.rules.values())
    if (ar.rule.id !== except && ar.rule.id !== rule.id && routeKey(ar.rule) === key) return ar;
  return undefined;
}

/** Another target's entry that stands on rule `ruleId` (a shared diversion), other than `key`. */
export function sharerOf(s: EngineState, ruleId: string, key: string): TargetEntry | undefined {
  for (const e of s.targets.values()) if (e.key !== key && e.acting && e.ruleId === ruleId) return e;
  return undefined;
}

/** An auto change that cannot be deployed: the entry goes back to the level of the rule it stands on. */
function settle(s: EngineState, entry: TargetEntry): void {
  const own = entry.ruleId !== undefined ? s.rules.get(entry.ruleId) : undefined;
  if (own !== undefined) entry.level = own.rule.level;
  else {
    entry.acting = false;
    entry.ruleId = undefined;
    entry.level = 0;
  }
}

/**
 * The target joins another target's rule on the same route (two hosts of one /24 diverted to scrubbing):
 * no second rule, its events refresh the shared one, and its own previous rule (a different route) goes.
 */
function join(
  s: EngineState,
  entry: TargetEntry,
  holder: ActiveRule,
  item: QueueItem,
  now: number,
  out: EngineAction[],
): void {
  const own = entry.ruleId !== undefined ? s.rules.get(entry.ruleId) : undefined;
  entry.ruleId = holder.rule.id;
  entry.level = holder.rule.level;
  entry.levelChangedAt = now;
  holder.expiresAt = Math.max(holder.expiresAt, entry.lastEventAt + ttlMs(s));
  decideFor(
    out,
    ruleDecision(
      'refresh',
      holder.rule,
      now,
      `${entry.target}: ${item.reason}; covered by rule ${holder.rule.id} on the same route (one rule per route)`,
      item.actor,
    ),
  );
  if (own !== undefined && own.rule.id !== holder.rule.id)
    withdraw(s, own, now, 'withdraw', `${entry.target} now covered by rule ${holder.rule.id}`, ENGINE, out);
}
