// Level stage of the auto path: the rule for a level (autoRule), the strongest level at or below the
// wanted one that the guards pass and some adapter can carry (pickLevel: never fail open), the alert that
// says why a level fell back, and the queueing of the chosen rule (enqueueAuto).
import type { EscalationLevel, Rule } from '../domain/rule.js';
import { notCarried } from './carry.js';
import { enqueue } from './deploy.js';
import {
  type EngineState,
  type TargetEntry,
  ENGINE,
  decide,
  nextId,
  policyFor,
  ttlMs,
} from './engine-state.js';
import { validateRule } from './guards.js';
import { renderRule } from './intents.js';
import type { MatchDepth } from './match.js';
import type { EngineAction } from './types.js';

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
      ...(view ? { signature: view.signature, attackFamily: view.family, attackId: view.attackId } : {}),
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
