// Lifecycle: adapter results (announced, retry with exponential backoff, give up), the timer tick
// (aggregation windows, TTL expiry, due retries, queue slots) and the next deadline.
import { summarize } from './aggregate.js';
import { evaluate } from './auto.js';
import { enqueueAuto } from './level.js';
import { abandon, pump, withdraw } from './deploy.js';
import {
  type EngineState,
  type TargetEntry,
  ENGINE,
  backoff,
  decideFor,
  finishEntry,
  rateOf,
  ruleDecision,
  tenantState,
  ttlMs,
} from './engine-state.js';
import { canDeploy, nextSlot, recordDeployment } from './rate-limit.js';
import { sharedDeadline } from './budget.js';
import type { EngineAction, EngineInput } from './types.js';
import { transition } from '../domain/rule-lifecycle.js';

export function onResult(
  s: EngineState,
  r: Extract<EngineInput, { type: 'adapter-result' }>,
  now: number,
  out: EngineAction[],
): void {
  if (r.op === 'withdraw') {
    const w = s.withdrawing.get(r.ruleId);
    if (w === undefined) return;
    if (r.ok) {
      s.withdrawing.delete(r.ruleId);
      return;
    }
    if (r.retryable && w.attempt < s.cfg.retry.maxAttempts) {
      w.retryAt = now + backoff(s, w.attempt);
      return;
    }
    s.withdrawing.delete(r.ruleId);
    decideFor(
      out,
      ruleDecision(
        'reject',
        w.rule,
        now,
        `withdraw failed after ${w.attempt} attempt(s) via ${r.adapter}: ${r.error ?? 'error'}; reconciliation at restart removes it`,
        ENGINE,
      ),
    );
    return;
  }
  const ar = s.rules.get(r.ruleId);
  if (ar === undefined) return; // withdrawn meanwhile
  ar.inFlight = false;
  if (r.ok) {
    ar.rule = transition(ar.rule, 'announce-ok', { expiresAt: ar.expiresAt });
    ar.persistedExpiresAt = ar.expiresAt;
    ar.replaces = undefined;
    out.push({ kind: 'persist', rule: ar.rule });
    return;
  }
  if (r.retryable && ar.attempt < s.cfg.retry.maxAttempts) {
    ar.retryAt = now + backoff(s, ar.attempt);
    if (ar.rule.state !== 'failed') {
      ar.rule = transition(ar.rule, 'announce-failed');
      out.push({ kind: 'persist', rule: ar.rule });
    }
    return;
  }
  // Given up: a refusal (render error, capability) or the last attempt. The rule it was to replace stands
  // again; a refused level is skipped for this target from now on and the strongest level below it that
  // can be carried takes its place.
  const entry = s.targets.get(ar.key);
  const why = `announce failed after ${ar.attempt} attempt(s) via ${r.adapter}: ${r.error ?? 'error'}`;
  const back = abandon(s, ar, now, why, out);
  if (entry === undefined || entry.ruleId !== ar.rule.id) return;
  if (back !== undefined && back.origin === 'auto') {
    entry.ruleId = back.id;
    entry.level = back.level;
  } else {
    entry.ruleId = undefined;
    entry.acting = false;
    entry.level = 0;
  }
  if (!r.retryable && ar.rule.origin === 'auto' && ar.rule.level >= 1 && entry.view !== undefined) {
    entry.refused.set(ar.rule.level, `${ar.rule.intent} refused by ${r.adapter}: ${r.error ?? 'error'}`);
    enqueueAuto(
      s,
      entry,
      ar.rule.level,
      entry.acting ? 'escalate' : 'announce',
      `level ${ar.rule.level} (${ar.rule.intent}) could not be announced`,
      now,
      out,
    );
  }
  // out of retries: hold off for the cooldown; a refusal instead moves on to the levels that can be carried
  if (!entry.acting && r.retryable) entry.failedUntil = now + s.cfg.limits.cooldownMs;
}

export function onTick(s: EngineState, now: number, out: EngineAction[]): void {
  for (const entry of s.targets.values()) {
    if (entry.acting) continue;
    const view = summarize(entry.reports, now, s.cfg.aggregation.nodeStaleMs, s.cfg.aggregation.volume);
    if (view === undefined) {
      if (!hasQueued(s, entry)) finishEntry(s, entry);
      continue;
    }
    entry.view = view;
    if (!entry.windowChecked && now >= entry.windowEndsAt) {
      entry.windowChecked = true;
      if (!entry.alerted && now >= entry.failedUntil && !s.suppressed.has(entry.key))
        evaluate(s, entry, view, now, out);
    }
  }
  for (const ar of [...s.rules.values()]) {
    if (ar.expiresAt <= now) {
      const entry = s.targets.get(ar.key);
      const why =
        ar.rule.origin === 'auto'
          ? `TTL expired: ${s.cfg.ttlSeconds} s after the last attack event`
          : `TTL expired: manual rule of ${ar.rule.ttlSeconds} s`;
      withdraw(s, ar, now, 'withdraw', why, ENGINE, out);
      if (entry !== undefined && entry.ruleId === ar.rule.id) finishEntry(s, entry);
      // targets that shared it (one rule per route) were quiet as long: they end with it
      for (const e of [...s.targets.values()]) if (e.ruleId === ar.rule.id) finishEntry(s, e);
      continue;
    }
    if (!Number.isNaN(ar.retryAt) && ar.retryAt <= now) {
      const t = tenantState(s, ar.rule.tenant);
      if (!canDeploy(t.window, now, rateOf(s, ar.rule.tenant), s.cfg.limits.rateWindowMs)) {
        ar.retryAt = nextSlot(t.window, now, rateOf(s, ar.rule.tenant), s.cfg.limits.rateWindowMs);
        continue;
      }
      t.window = recordDeployment(t.window, now, s.cfg.limits.rateWindowMs, rateOf(s, ar.rule.tenant));
      ar.attempt++;
      ar.retryAt = NaN;
      ar.inFlight = true;
      out.push({
        kind: 'send',
        op: 'announce',
        rule: ar.rule,
        ...(ar.replaces ? { previous: ar.replaces } : {}),
        attempt: ar.attempt,
        decision: ruleDecision(
          'retry',
          ar.rule,
          now,
          `retry ${ar.attempt} of ${s.cfg.retry.maxAttempts} after backoff`,
          ENGINE,
        ),
      });
    }
  }
  for (const w of s.withdrawing.values()) {
    if (!Number.isNaN(w.retryAt) && w.retryAt <= now) {
      w.attempt++;
      w.retryAt = NaN;
      out.push({
        kind: 'send',
        op: 'withdraw',
        rule: w.rule,
        attempt: w.attempt,
        decision: { ...w.decision, at: now, action: 'retry', reason: `withdraw retry ${w.attempt}` },
      });
    }
  }
  for (const [key, until] of s.suppressed) if (until <= now) s.suppressed.delete(key);
  for (const tenant of s.tenants.keys()) pump(s, tenant, now, out);
}

export function hasQueued(s: EngineState, entry: TargetEntry): boolean {
  return s.tenants.get(entry.tenant)?.queue.some((q) => q.key === entry.key) ?? false;
}

/** Earliest time at which a tick has something to do (windows, TTLs, retries, queue slots). */
export function nextDeadline(s: EngineState): number {
  let t = Infinity;
  for (const e of s.targets.values())
    if (!e.acting && !e.windowChecked && e.windowEndsAt < t) t = e.windowEndsAt;
  for (const ar of s.rules.values()) {
    if (ar.expiresAt < t) t = ar.expiresAt;
    if (ar.retryAt < t) t = ar.retryAt;
  }
  for (const w of s.withdrawing.values()) if (w.retryAt < t) t = w.retryAt;
  for (const [name, ts] of s.tenants) {
    if (ts.queue.length === 0) continue;
    t = Math.min(t, sharedDeadline(ts, s.lastNow));
    const limit = rateOf(s, name);
    const times = ts.window.times;
    if (times.length - ts.window.head >= limit) {
      const slot = (times[times.length - limit] as number) + s.cfg.limits.rateWindowMs;
      if (slot > s.lastNow && slot < t) t = slot; // otherwise the cap, not the rate, holds the queue
    }
    for (const item of ts.queue) {
      const entry = s.targets.get(item.key);
      if (entry !== undefined && entry.lastEventAt + ttlMs(s) < t) t = entry.lastEventAt + ttlMs(s);
    }
  }
  return t;
}
