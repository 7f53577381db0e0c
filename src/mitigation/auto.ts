// Auto path: aggregate the reports for a target, gate on confidence, pick the level of its policy,
// escalate and de-escalate; collateral-damage rollback from legitimate-traffic reports.
import type { AttackEvent } from '../domain/attack.js';
import type { EscalationLevel, Rule } from '../domain/rule.js';
import { formatPrefix, tryParsePrefix } from '../net/index.js';
import { type AggregateView, reportOf, summarize, updateReport } from './aggregate.js';
import { confidence, describeConfidence } from './confidence.js';
import { enqueue, refresh, withdraw } from './deploy.js';
import {
  type EngineState,
  type TargetEntry,
  ENGINE,
  decide,
  finishEntry,
  nextId,
  policyFor,
  ttlMs,
} from './engine-state.js';
import { type LadderLevel, formatBps, nextLevel, rawLevel } from './escalate.js';
import { notCarried } from './carry.js';
import { tenantOf, validateRule } from './guards.js';
import { renderRule } from './intents.js';
import type { MatchDepth } from './match.js';
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
      depth: 'basic',
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
  const level = Math.min(rawLevel(policy, view.bps, view.pps), entry.cap) as LadderLevel;
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

export function rejectOnce(
  s: EngineState,
  entry: TargetEntry,
  now: number,
  out: EngineAction[],
  key: string,
  reason: string,
  level?: EscalationLevel,
): void {
  if (entry.rejectKey === key) return;
  entry.rejectKey = key;
  decide(
    out,
    {
      at: now,
      action: 'reject',
      tenant: entry.tenant,
      target: entry.target,
      ...(level !== undefined ? { level } : {}),
      ...(entry.view ? { attackId: entry.view.attackId } : {}),
      reason,
    },
    s,
  );
}

export function autoRule(
  s: EngineState,
  entry: TargetEntry,
  level: EscalationLevel,
  reason: string,
  depth: MatchDepth,
  now: number,
  intentOverride?: Rule['intent'],
  id = nextId(s),
): Rule {
  const view = entry.view;
  const { policy } = policyFor(s, view?.hostGroup);
  const lc = policy.levels[Math.max(1, level) - 1];
  return renderRule(
    {
      id,
      tenant: entry.tenant,
      target: entry.target,
      intent: intentOverride ?? lc?.intent ?? 'rate-limit',
      level,
      ...(view ? { signature: view.signature, attackId: view.attackId } : {}),
      depth,
      ...(lc?.rateBitsPerSecond !== undefined || lc?.bps != null
        ? { rateBitsPerSecond: lc?.rateBitsPerSecond ?? (lc?.bps as number) }
        : {}),
      ttlSeconds: s.cfg.ttlSeconds,
      now,
      expiresAt: entry.lastEventAt + ttlMs(s),
      origin: 'auto',
      reason,
      dryRun: s.cfg.dryRun || policy.dryRun,
    },
    s.cfg,
  );
}

type Pick =
  | { readonly ok: true; readonly level: EscalationLevel; readonly rule: Rule; readonly skipped: string[] }
  | { readonly ok: false; readonly skipped: string[] };

/**
 * The strongest level at or below `wanted` whose rule passes the guards and can be carried: a level no
 * configured adapter carries for the target's family, one whose announcement was refused before, or one an
 * origin-validation guard refuses (RPKI, unicast only) falls back to the next one down — never to nothing
 * while a lower level can be carried. Target guards (special-purpose, tenant, breadth) refuse every level.
 */
function pickLevel(
  s: EngineState,
  entry: TargetEntry,
  wanted: EscalationLevel,
  reason: string,
  now: number,
  out: EngineAction[],
  intentOverride?: Rule['intent'],
): Pick {
  const skipped: string[] = [];
  for (let lvl = wanted; lvl >= 1; lvl--) {
    const level = lvl as EscalationLevel;
    const refused = entry.refused.get(level);
    if (refused !== undefined) {
      skipped.push(`level ${level}: ${refused}`);
      if (intentOverride !== undefined) break;
      continue;
    }
    const rule = autoRule(s, entry, level, reason, entry.depth, now, intentOverride, '');
    const v = validateRule(s.guards, rule);
    if (!v.ok) {
      rejectOnce(s, entry, now, out, `${level}:${v.code}`, v.reason, level);
      if (!v.code.startsWith('rpki') || intentOverride !== undefined) return { ok: false, skipped };
      skipped.push(`level ${level} (${rule.intent}): ${v.reason}`);
      continue;
    }
    const why = v.rule.dryRun ? undefined : notCarried(s.carry, v.rule.intent, v.rule.family);
    if (why !== undefined) {
      skipped.push(`level ${level} (${v.rule.intent}) cannot be carried for IPv${v.rule.family}: ${why}`);
      if (intentOverride !== undefined) break;
      continue;
    }
    return { ok: true, level, rule: { ...rule, id: nextId(s) }, skipped };
  }
  return { ok: false, skipped };
}

/** One alert per change of circumstance when a level falls back (audit action 'alert' → notifications). */
function fallbackAlert(
  s: EngineState,
  entry: TargetEntry,
  now: number,
  out: EngineAction[],
  skipped: readonly string[],
  chosen: string,
): void {
  if (skipped.length === 0) return;
  const note = `${skipped.join('; ')}; ${chosen}`;
  if (entry.fallbackNote === note) return;
  entry.fallbackNote = note;
  decide(
    out,
    {
      at: now,
      action: 'alert',
      tenant: entry.tenant,
      target: entry.target,
      ...(entry.view ? { attackId: entry.view.attackId } : {}),
      reason: `fallback: ${note}`,
    },
    s,
  );
}

export function enqueueAuto(
  s: EngineState,
  entry: TargetEntry,
  level: EscalationLevel,
  change: 'announce' | 'escalate' | 'de-escalate' | 'rollback',
  reason: string,
  now: number,
  out: EngineAction[],
  score?: number,
  intentOverride?: Rule['intent'],
): void {
  const pick = pickLevel(s, entry, level, reason, now, out, intentOverride);
  const current = entry.acting ? entry.level : 0;
  if (!pick.ok) {
    fallbackAlert(
      s,
      entry,
      now,
      out,
      pick.skipped,
      current > 0
        ? `no level up to ${level} can be carried: level ${current} stays`
        : `no level up to ${level} can be carried: alert only`,
    );
    return;
  }
  const { rule } = pick;
  // Escalating to a level that falls back to where the target already stands changes nothing; a
  // de-escalation never goes below what can be carried (pickLevel only moves down from its target).
  if (change === 'escalate' && pick.level <= current) {
    fallbackAlert(s, entry, now, out, pick.skipped, `level ${current} stays`);
    return;
  }
  if (change === 'de-escalate' && pick.level >= current) return;
  fallbackAlert(s, entry, now, out, pick.skipped, `falling back to level ${pick.level} (${rule.intent})`);
  if (pick.skipped.length === 0) entry.fallbackNote = undefined;
  const why =
    pick.level !== level ? `${reason}; fallback to level ${pick.level}: ${pick.skipped.join('; ')}` : reason;
  entry.rejectKey = undefined;
  entry.acting = true;
  entry.level = pick.level;
  const previous = entry.ruleId !== undefined ? s.rules.get(entry.ruleId)?.rule : undefined;
  enqueue(
    s,
    {
      key: entry.key,
      tenant: entry.tenant,
      rule: pick.level !== level ? { ...rule, reason: why } : rule,
      ...(previous ? { previous } : {}),
      action: change,
      actor: ENGINE,
      reason: why,
      ...(score !== undefined ? { confidence: score } : {}),
      enqueuedAt: now,
      queuedNoticed: false,
      priority: change === 'rollback',
    },
    now,
    out,
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
  entry.cap = Math.min(entry.cap, n.level) as LadderLevel;
  entry.depth = n.depth;
  enqueueAuto(s, entry, n.level, 'rollback', `${why}; ${n.why}`, now, out, undefined, n.intent);
}
