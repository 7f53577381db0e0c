// Auto path: aggregate the reports for a target, gate on confidence, pick the level of its policy,
// escalate and de-escalate; collateral-damage rollback from legitimate-traffic reports.
import type { AttackEvent } from '../domain/attack.js';
import type { EscalationLevel } from '../domain/rule.js';
import { formatPrefix, tryParsePrefix } from '../net/index.js';
import { type AggregateView, reportOf, summarize, updateReport } from './aggregate.js';
import { confidence, describeConfidence } from './confidence.js';
import { refresh, withdraw } from './deploy.js';
import {
  type EngineState,
  type TargetEntry,
  ENGINE,
  decide,
  finishEntry,
  policyFor,
} from './engine-state.js';
import { formatBps, nextLevel, rawLevel } from './escalate.js';
import { tenantOf } from './guards.js';
import { enqueueAuto, rejectOnce } from './level.js';
import { collapsed, narrower } from './rollback.js';
import type { EngineAction } from './types.js';

export function onEvent(s: EngineState, e: AttackEvent, now: number, out: EngineAction[]): void {
  // Entries are keyed by canonical prefix text (what detection sends); other spellings are parsed.
  let entry = s.targets.get(e.target);
  if (entry === undefined) {
    const p = tryParsePrefix(e.target);
    if (p === undefined) {
      if (e.kind === 'end') return;
      decide(
        out,
        {
          at: now,
          action: 'reject',
          tenant: '-',
          target: e.target,
          attackId: e.attackId,
          reason: 'target is not a prefix',
        },
        s,
      );
      return;
    }
    entry = s.targets.get(formatPrefix(p));
  }
  if (entry === undefined) {
    if (e.kind === 'end') return; // end of an attack we hold nothing for
    const p = tryParsePrefix(e.target) as NonNullable<ReturnType<typeof tryParsePrefix>>;
    const target = formatPrefix(p);
    entry = {
      key: target,
      tenant: tenantOf(s.guards, p) ?? '-',
      target,
      reports: new Map(),
      windowEndsAt: now + s.cfg.aggregation.windowMs,
      windowChecked: false,
      lastEventAt: now,
      alerted: false,
      acting: false,
      ruleId: undefined,
      level: 0,
      levelChangedAt: now,
      cap: 4,
      depth: policyFor(s, e.hostGroup).policy.matchDepth,
      rejectKey: undefined,
      view: undefined,
      failedUntil: -Infinity,
      legitBaseline: s.legit.get(target),
      refused: new Map(),
      fallbackNote: undefined,
      routeBlockedBy: undefined,
    };
    s.targets.set(target, entry);
  }
  const prev = entry.reports.get(e.node);
  if (prev !== undefined) updateReport(prev, e, now);
  else entry.reports.set(e.node, reportOf(e, now));
  if (e.kind !== 'end') entry.lastEventAt = now;
  const view = summarize(entry.reports, now, s.cfg.aggregation.nodeStaleMs, s.cfg.aggregation.volume);
  if (view === undefined) return; // every node ended: the TTL takes it from here
  entry.view = view;
  // More reports of this instant follow from the same detector (one per node): decide on the last.
  if ((e.moreNodes ?? 0) > 0) return;

  if (e.direction === 'outgoing') {
    alertOnce(
      s,
      entry,
      now,
      out,
      'outgoing attack: alert only, mitigation acts on traffic towards our networks',
    );
    return;
  }
  const until = s.suppressed.get(entry.key);
  if (until !== undefined) {
    if (now < until) {
      rejectOnce(s, entry, now, out, 'suppressed', 'auto rules off after a manual withdraw (cooldown)');
      return;
    }
    s.suppressed.delete(entry.key);
  }

  if (
    entry.acting &&
    entry.ruleId !== undefined &&
    !s.rules.has(entry.ruleId) &&
    !(s.tenants.get(entry.tenant)?.queue.some((q) => q.key === entry.key) ?? false)
  ) {
    // The rule this target stood on is gone (a shared diversion its owner withdrew): decide afresh.
    entry.acting = false;
    entry.ruleId = undefined;
    entry.level = 0;
  }
  if (entry.acting) {
    const ar = entry.ruleId !== undefined ? s.rules.get(entry.ruleId) : undefined;
    if (ar !== undefined && e.kind !== 'end') refresh(s, ar, now, out);
    const { policy } = policyFor(s, view.hostGroup);
    const next = nextLevel(
      policy,
      entry.level,
      entry.levelChangedAt,
      view.bps,
      view.pps,
      now,
      s.cfg.limits.cooldownMs,
      entry.cap,
    );
    if (next.change !== 'none') enqueueAuto(s, entry, next.level, next.change, next.reason, now, out);
    return;
  }
  if (now < entry.failedUntil) return;
  evaluate(s, entry, view, now, out);
}

/** Confidence gate, then the first rule for a target that has none. */
export function evaluate(
  s: EngineState,
  entry: TargetEntry,
  view: AggregateView,
  now: number,
  out: EngineAction[],
): void {
  const conf = confidence(view.severity, view.nodes, view.family, s.cfg.confidence);
  if (view.implausibleOnly && view.nodes < 2) {
    // forged-looking telemetry (docs/flow-hardening.md): one flagged node alone never opens a rule
    if (now >= entry.windowEndsAt)
      alertOnce(
        s,
        entry,
        now,
        out,
        `${describeConfidence(conf)}, but the only reporting node's exporters were flagged implausible: needs a second node to corroborate: alert only`,
        conf.score,
      );
    return;
  }
  if (conf.score < s.cfg.confidence.threshold) {
    // Within the aggregation window a weak first event waits for corroboration; after it, alert only.
    if (now >= entry.windowEndsAt) {
      alertOnce(
        s,
        entry,
        now,
        out,
        `${describeConfidence(conf)} below threshold ${s.cfg.confidence.threshold}: alert only`,
        conf.score,
      );
    }
    return;
  }
  const { name, policy } = policyFor(s, view.hostGroup);
  const level = Math.min(rawLevel(policy, view.bps, view.pps), entry.cap) as EscalationLevel;
  if (level === 0) {
    alertOnce(
      s,
      entry,
      now,
      out,
      `${formatBps(view.bps)} / ${Math.round(view.pps)} pps is below level 1 of policy "${name}": alert only`,
      conf.score,
    );
    return;
  }
  enqueueAuto(
    s,
    entry,
    level,
    'announce',
    `${describeConfidence(conf)}, ${view.nodes} node(s), ${formatBps(view.bps)}: level ${level} of policy "${name}"`,
    now,
    out,
    conf.score,
  );
}

export function alertOnce(
  s: EngineState,
  entry: TargetEntry,
  now: number,
  out: EngineAction[],
  reason: string,
  score?: number,
): void {
  if (entry.alerted) return;
  entry.alerted = true;
  decide(
    out,
    {
      at: now,
      action: 'alert',
      tenant: entry.tenant,
      target: entry.target,
      ...(entry.view ? { attackId: entry.view.attackId } : {}),
      reason,
      ...(score !== undefined ? { confidence: score } : {}),
    },
    s,
  );
}

export function onLegit(
  s: EngineState,
  targetText: string,
  bps: number,
  now: number,
  out: EngineAction[],
): void {
  const p = tryParsePrefix(targetText);
  if (p === undefined || !Number.isFinite(bps) || bps < 0) return;
  const target = formatPrefix(p);
  const entry = s.targets.get(targetText) ?? s.targets.get(target);
  const ar = entry?.ruleId !== undefined ? s.rules.get(entry.ruleId) : undefined;
  if (entry === undefined || ar === undefined) {
    // No rule: this is the baseline a later rule is judged against.
    s.legit.set(target, bps);
    if (entry !== undefined) entry.legitBaseline = bps;
    return;
  }
  const rb = s.cfg.rollback;
  const base = entry.legitBaseline;
  if (!rb.enabled || base === undefined || !collapsed(base, bps, rb.collapseRatio, rb.minBaselineBps)) return;
  const why = `legitimate traffic to ${entry.target} fell from ${formatBps(base)} to ${formatBps(bps)} after rule ${ar.rule.id} (${ar.rule.intent})`;
  const n = narrower(ar.rule, entry.view?.signature);
  // The next rule is judged against the same baseline; escalation stays at or below the narrower level.
  if (n === undefined) {
    withdraw(s, ar, now, 'rollback', `${why}; no narrower rule: withdrawn`, ENGINE, out);
    finishEntry(s, entry);
    s.suppressed.set(entry.key, now + s.cfg.limits.cooldownMs);
    return;
  }
  entry.cap = Math.min(entry.cap, n.level) as EscalationLevel;
  entry.depth = n.depth;
  enqueueAuto(s, entry, n.level, 'rollback', `${why}; ${n.why}`, now, out, undefined, n.intent);
}
