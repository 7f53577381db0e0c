// The mitigation engine's pure core: step(state, input, now) → { state, actions }. Deterministic: the
// same inputs at the same times give the same actions; no I/O, no clock, no randomness. For speed the
// state is updated in place and returned (the caller hands ownership in and keeps only the result).
// Pipeline per the brief: queue → aggregate → validate → escalate → rate-limit → announce; lifecycle:
// TTL refresh and expiry, retries with exponential backoff, de-escalation, collateral rollback.
import type { Rule } from '../domain/rule.js';
import { onEvent, onLegit } from './auto.js';
import { onBudgetDenied } from './budget.js';
import type { EngineState } from './engine-state.js';
import { onResult, onTick } from './lifecycle.js';
import { onManualAdd, onManualWithdraw } from './manual.js';
import { onAdopt, onConfig, onRestore } from './restore.js';
import type { EngineAction, EngineInput, StepResult } from './types.js';

export function step(s: EngineState, input: EngineInput, now: number): StepResult<EngineState> {
  const out: EngineAction[] = [];
  s.lastNow = now;
  switch (input.type) {
    case 'event':
      onEvent(s, input.event, now, out);
      break;
    case 'tick':
      onTick(s, now, out);
      break;
    case 'manual-add':
      onManualAdd(s, input.requestId, input.actor, input.request, now, out);
      break;
    case 'manual-withdraw':
      onManualWithdraw(s, input.requestId, input.actor, input.ruleId, input.reason, now, out);
      break;
    case 'adapter-result':
      onResult(s, input, now, out);
      break;
    case 'config':
      onConfig(s, input.config, input.actor, now, out);
      break;
    case 'legit-traffic':
      onLegit(s, input.target, input.bps, now, out);
      break;
    case 'restore':
      onRestore(s, input.rules, new Set(input.resend), now, out);
      break;
    case 'adopt':
      onAdopt(s, input.ruleId, input.held, now, out);
      break;
    case 'budget-denied':
      onBudgetDenied(s, input, now, out);
      break;
  }
  return { state: s, actions: out };
}

/** Active rules, newest first (a snapshot; the engine keeps ownership). */
export function activeRules(s: EngineState, tenant?: string): Rule[] {
  const out: Rule[] = [];
  for (const ar of s.rules.values()) {
    if (tenant !== undefined && ar.rule.tenant !== tenant) continue;
    out.push(ar.rule.expiresAt === ar.expiresAt ? ar.rule : { ...ar.rule, expiresAt: ar.expiresAt });
  }
  return out.sort((a, b) => b.createdAt - a.createdAt);
}

/** Queued (not yet deployed) rules. */
export function queuedRules(s: EngineState, tenant?: string): Rule[] {
  const out: Rule[] = [];
  for (const [name, t] of s.tenants)
    if (tenant === undefined || name === tenant) for (const q of t.queue) out.push(q.rule);
  return out;
}

export { createEngine, type EngineOptions, type EngineState } from './engine-state.js';
export { nextDeadline } from './lifecycle.js';
export type { SendOp } from './types.js';
