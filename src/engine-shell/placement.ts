// Placement: carrying one send action out on the adapters. An announce goes to the best adapter (the
// pool fails over) under the target's cross-process lock, after the duplicate check and the cluster
// budget; the adapter that took it is remembered, and a replaced rule comes off the route it held
// unless the new one took that route over. A withdraw goes to the adapter holding the rule, keeping a
// route another active rule still needs.
import type { Rule } from '../domain/rule.js';
import { activeRules } from '../mitigation/engine.js';
import { sameRoute } from '../mitigation/intents.js';
import type { Decision, EngineAction } from '../mitigation/types.js';
import { toAudit } from './audit.js';
import { type BudgetDenied, chargeBudget } from './budget-gate.js';
import type { ShellContext } from './context.js';
import type { Adapter } from './ports.js';
import { transition } from '../domain/rule-lifecycle.js';

export type SendAction = Extract<EngineAction, { kind: 'send' }>;

function lockKey(rule: Rule): string {
  return `mitigation:${rule.tenant}:${rule.target}`;
}

export async function announce(ctx: ShellContext, a: SendAction): Promise<void> {
  const { rule, previous } = a;
  const { store, pool, placement } = ctx;
  let denied: BudgetDenied | undefined;
  const adopted = await store.locks.withLock(lockKey(rule), async () => {
    if (rule.origin === 'auto' && a.attempt === 1) {
      // another process sharing the store already protects this target: adopt its rule
      const now = ctx.clock.now();
      const held = (
        await store.rules.list({ tenant: rule.tenant, target: rule.target, states: ['pending', 'announced'] })
      ).find(
        (r) =>
          r.origin === 'auto' &&
          r.id !== rule.id &&
          r.id !== previous?.id &&
          !ctx.state().rules.has(r.id) &&
          r.expiresAt > now,
      );
      if (held !== undefined) return held;
    }
    // cluster-wide budget (shared store only); an admitted first attempt is written pending by the charge
    denied = await chargeBudget(store, ctx.state(), a, ctx.clock.now());
    if (denied !== undefined) return undefined;
    if (a.attempt === 1) await store.rules.upsert(rule);
    const { adapter, result } = await pool.announce(rule);
    if (result.ok) placement.set(rule.id, adapter);
    await ctx.audit(toAudit(a.decision, adapter, result.payload, result.ok ? undefined : result.error));
    ctx.decided({ ...a.decision, adapter, ok: result.ok, payload: result.payload });
    if (result.ok && previous !== undefined) await retirePrevious(ctx, a, previous, adapter);
    ctx.submit({
      type: 'adapter-result',
      ruleId: rule.id,
      op: 'announce',
      ok: result.ok,
      retryable: result.retryable === true,
      ...(result.error !== undefined ? { error: result.error } : {}),
      adapter,
    });
    return undefined;
  });
  if (adopted !== undefined) ctx.submit({ type: 'adopt', ruleId: rule.id, held: adopted });
  if (denied !== undefined) ctx.submit(denied);
}

/** The rule `a` replaced comes off its route — unless the new announcement took that route over. */
async function retirePrevious(
  ctx: ShellContext,
  a: SendAction,
  previous: Rule,
  adapter: string,
): Promise<void> {
  const prevAdapter = ctx.placement.get(previous.id);
  const replaced = {
    ...a.decision,
    action: 'withdraw' as const,
    // the record names the withdrawn rule, not its replacement (a diversion's /24 differs)
    target: previous.target,
    ruleId: previous.id,
    intent: previous.intent,
    level: previous.level,
  };
  // On the same route of the same adapter the announcement replaced the previous one in place, and a
  // withdraw would take the new one down too — unless the adapter owns routes per rule (native speaker).
  const inPlace =
    sameRoute(previous, a.rule) &&
    prevAdapter === adapter &&
    ctx.pool.byName(adapter)?.capabilities.routesByRule !== true;
  if (!inPlace) {
    await withdrawOn(ctx, transition(previous, 'withdraw'), {
      ...replaced,
      reason: `replaced by ${a.rule.id}`,
    });
  } else {
    ctx.placement.delete(previous.id);
    await ctx.audit(
      toAudit({ ...replaced, reason: `replaced in place by ${a.rule.id} (same route)` }, adapter, {
        note: 'same route re-announced; nothing withdrawn',
      }),
    );
  }
  await ctx.store.rules.upsert(transition(previous, 'withdraw'));
}

export async function withdraw(ctx: ShellContext, rule: Rule, decision: Decision): Promise<void> {
  await ctx.store.locks.withLock(lockKey(rule), async () => {
    const ok = await withdrawOn(ctx, rule, decision);
    ctx.submit({
      type: 'adapter-result',
      ruleId: rule.id,
      op: 'withdraw',
      ok: ok.ok,
      retryable: ok.retryable,
      ...(ok.error ? { error: ok.error } : {}),
      adapter: ok.adapter,
    });
  });
}

/** Withdraw from the adapter holding the rule, or from every adapter able to (idempotent) when unknown. */
async function withdrawOn(
  ctx: ShellContext,
  rule: Rule,
  decision: Decision,
): Promise<{ ok: boolean; retryable: boolean; error?: string; adapter: string }> {
  const { pool, placement } = ctx;
  const placed = placement.get(rule.id);
  // Two rules can share one route (two hosts of one /24 diverted to scrubbing): keep it while another needs it.
  // (An adapter that owns routes per rule keeps a shared route by itself: withdraw by id is always safe.)
  const byRule = placed !== undefined && pool.byName(placed)?.capabilities.routesByRule === true;
  const sharer = byRule
    ? undefined
    : activeRules(ctx.state()).find(
        (r) => r.id !== rule.id && sameRoute(r, rule) && placement.get(r.id) === placed,
      );
  if (placed !== undefined && sharer !== undefined) {
    placement.delete(rule.id);
    const reason = `${decision.reason}; route kept: rule ${sharer.id} still needs it`;
    await ctx.audit(toAudit({ ...decision, reason }, placed, { note: 'shared route kept' }));
    ctx.decided({ ...decision, reason, adapter: placed, ok: true });
    return { ok: true, retryable: false, adapter: placed };
  }
  const targets =
    placed !== undefined
      ? [pool.byName(placed)].filter((x): x is Adapter => x !== undefined)
      : pool.candidates(rule);
  if (targets.length === 0) {
    // Never announced anywhere (it failed or waited): nothing to take down.
    await ctx.audit(toAudit(decision, '-', { note: 'no adapter held the rule' }));
    ctx.decided({ ...decision, adapter: '-', ok: true });
    return { ok: true, retryable: false, adapter: '-' };
  }
  let ok = true;
  let retryable = false;
  let error: string | undefined;
  let name = '-';
  for (const adapter of targets) {
    const out = await pool.call(adapter, 'withdraw', rule);
    name = out.adapter;
    await ctx.audit(
      toAudit(decision, out.adapter, out.result.payload, out.result.ok ? undefined : out.result.error),
    );
    ctx.decided({ ...decision, adapter: out.adapter, ok: out.result.ok, payload: out.result.payload });
    if (!out.result.ok) {
      ok = false;
      retryable ||= out.result.retryable === true;
      error = out.result.error;
    }
  }
  if (ok) placement.delete(rule.id);
  return { ok, retryable, ...(error !== undefined ? { error } : {}), adapter: name };
}
