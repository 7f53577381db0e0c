// Config reload (re-validate every standing rule), restore after a restart, adoption of a rule
// another process already holds for the same target.
import type { Rule } from '../domain/rule.js';
import { formatPrefix, tryParsePrefix } from '../net/index.js';
import type { MitigationConfig } from './config.js';
import { enqueue, pump, withdraw } from './deploy.js';
import {
  type ActiveRule,
  type EngineState,
  ENGINE,
  decide,
  decideFor,
  finishEntry,
  nextId,
  policyFor,
  ruleDecision,
  tenantState,
  ttlMs,
} from './engine-state.js';
import { compileCarry } from './carry.js';
import { compileGuards, validateRule } from './guards.js';
import type { EngineAction } from './types.js';
import { transition } from '../domain/rule-lifecycle.js';

export function onConfig(
  s: EngineState,
  cfg: MitigationConfig,
  actor: string,
  now: number,
  out: EngineAction[],
): void {
  s.cfg = cfg;
  s.guards = compileGuards(cfg, s.guards.validateOrigin);
  if (s.carryCaps !== undefined) s.carry = compileCarry(s.carryCaps, cfg);
  decide(
    out,
    {
      at: now,
      action: 'config',
      actor,
      tenant: '-',
      target: '-',
      reason: 'mitigation config reloaded: active rules re-validated',
    },
    s,
  );
  // A reload must not let a standing rule bypass the new guards: withdraw or convert what no longer passes.
  for (const ar of [...s.rules.values()]) {
    const v = validateRule(s.guards, ar.rule);
    const entry = ar.rule.origin === 'auto' ? s.targets.get(ar.key) : undefined;
    if (!v.ok) {
      withdraw(s, ar, now, 'withdraw', `config reload: ${v.reason}`, actor, out);
      if (entry !== undefined) finishEntry(s, entry);
      continue;
    }
    if (v.rule !== ar.rule) {
      const rule: Rule = { ...v.rule, id: nextId(s) };
      enqueue(
        s,
        {
          key: ar.key,
          tenant: rule.tenant,
          rule,
          previous: ar.rule,
          action: 'announce',
          actor,
          reason: `config reload: ${v.note ?? 'rule changed'}`,
          enqueuedAt: now,
          queuedNoticed: false,
          priority: true,
        },
        now,
        out,
      );
    }
  }
  for (const t of s.tenants.keys()) pump(s, t, now, out);
}

export function reinstate(s: EngineState, rule: Rule, now: number): ActiveRule {
  const key = rule.origin === 'auto' ? rule.target : `manual:${rule.id}`;
  const ar: ActiveRule = {
    rule,
    key,
    expiresAt: rule.expiresAt,
    persistedExpiresAt: rule.expiresAt,
    attempt: 1,
    retryAt: NaN,
    inFlight: false,
    replaces: undefined,
    action: 'announce',
  };
  s.rules.set(rule.id, ar);
  tenantState(s, rule.tenant).active++;
  if (rule.origin === 'auto') {
    const p = tryParsePrefix(rule.target);
    s.targets.set(key, {
      key,
      tenant: rule.tenant,
      target: rule.target,
      reports: new Map(),
      windowEndsAt: now,
      windowChecked: true,
      lastEventAt: rule.expiresAt - ttlMs(s),
      alerted: true,
      acting: true,
      ruleId: rule.id,
      level: rule.level,
      levelChangedAt: rule.createdAt,
      cap: 4,
      depth: policyFor(s, undefined).policy.matchDepth,
      rejectKey: undefined,
      view: undefined,
      failedUntil: -Infinity,
      legitBaseline: p ? s.legit.get(formatPrefix(p)) : undefined,
      refused: new Map(),
      fallbackNote: undefined,
      routeBlockedBy: undefined,
    });
  }
  return ar;
}

export function onRestore(
  s: EngineState,
  rules: readonly Rule[],
  resend: ReadonlySet<string>,
  now: number,
  out: EngineAction[],
): void {
  // Newest first, so that of two auto rules on one target (a crash mid-escalation) the newer is kept.
  const sorted = [...rules].sort((a, b) => b.createdAt - a.createdAt);
  for (const rule of sorted) {
    if (s.rules.has(rule.id)) continue;
    const v = validateRule(s.guards, rule);
    const dup = rule.origin === 'auto' && s.targets.has(rule.target);
    if (!v.ok || dup || rule.expiresAt <= now) {
      const why = !v.ok
        ? `restored rule fails the guards: ${v.reason}`
        : dup
          ? 'superseded by a newer rule on the same target'
          : 'TTL ran out while the engine was down';
      const gone: Rule = transition(rule, 'withdraw');
      const d = ruleDecision('withdraw', gone, now, why, ENGINE);
      s.withdrawing.set(gone.id, { rule: gone, attempt: 1, retryAt: NaN, decision: d });
      out.push({ kind: 'persist', rule: gone });
      out.push({ kind: 'send', op: 'withdraw', rule: gone, attempt: 1, decision: d });
      continue;
    }
    const ar = reinstate(s, rule, now);
    if (!rule.dryRun && (resend.has(rule.id) || rule.state !== 'announced')) {
      ar.inFlight = true;
      out.push({
        kind: 'send',
        op: 'announce',
        rule,
        attempt: 1,
        decision: ruleDecision('announce', rule, now, 'restart: re-announce a rule no adapter holds', ENGINE),
      });
    }
  }
}

export function onAdopt(s: EngineState, ruleId: string, held: Rule, now: number, out: EngineAction[]): void {
  const ar = s.rules.get(ruleId);
  if (ar !== undefined) {
    s.rules.delete(ruleId);
    tenantState(s, ar.rule.tenant).active--;
  } else if (s.withdrawing.has(ruleId) && held.id === ruleId) {
    s.withdrawing.delete(ruleId);
  } else return;
  if (s.rules.has(held.id)) return;
  const entry = s.targets.get(held.target);
  const lastEventAt = entry?.lastEventAt;
  const nar = reinstate(s, transition(held, 'reinstate'), now);
  if (entry !== undefined && lastEventAt !== undefined) {
    const e = s.targets.get(held.target);
    if (e !== undefined) {
      e.lastEventAt = Math.max(lastEventAt, e.lastEventAt);
      e.reports.clear();
      for (const [k, v] of entry.reports) e.reports.set(k, v);
      e.view = entry.view;
    }
    nar.expiresAt = Math.max(nar.expiresAt, lastEventAt + ttlMs(s));
  }
  decideFor(
    out,
    ruleDecision(
      'refresh',
      held,
      now,
      `rule ${held.id} already held by another process for this target: adopted, nothing sent (ours was ${ruleId})`,
      ENGINE,
    ),
  );
}
