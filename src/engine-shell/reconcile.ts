// Reconciliation: after a restart, what each adapter holds is matched against the rules the store
// still has active (placement restored, orphans withdrawn, rules no adapter holds re-sent); while
// running, a rule placed on an adapter that went down is re-homed on the best healthy one.
import type { Rule } from '../domain/rule.js';
import type { ShellContext } from './context.js';
import type { Adapter } from './ports.js';
import { transition } from '../domain/rule-lifecycle.js';

/** Lists every adapter against the stored active rules; returns what the engine restores and re-sends. */
export async function reconcileOnStart(ctx: ShellContext): Promise<{ stored: Rule[]; resend: string[] }> {
  const stored = await ctx.store.rules.list({ states: ['pending', 'announced', 'failed'] });
  const activeIds = new Set(stored.map((r) => r.id));
  let listedAll = true;
  for (const adapter of ctx.pool.all()) {
    let held;
    try {
      held = await adapter.list();
    } catch (e) {
      listedAll = false;
      ctx.log.warn(
        { adapter: adapter.name, err: String(e) },
        'mitigation: adapter list failed; not reconciled',
      );
      continue;
    }
    for (const h of held) {
      if (h.ruleId !== undefined && activeIds.has(h.ruleId)) {
        ctx.placement.set(h.ruleId, adapter.name);
        continue;
      }
      await withdrawOrphan(ctx, adapter, h.ruleId, h.target, h.description);
    }
  }
  // without a full listing a rule missing from it may still be out there: re-sending could double it
  const resend = listedAll
    ? stored.filter((r) => !r.dryRun && !ctx.placement.has(r.id)).map((r) => r.id)
    : [];
  return { stored, resend };
}

async function withdrawOrphan(
  ctx: ShellContext,
  adapter: Adapter,
  ruleId: string | undefined,
  target: string,
  description: string,
): Promise<void> {
  const rule = ruleId !== undefined ? await ctx.store.rules.get(ruleId) : undefined;
  const at = ctx.clock.now();
  if (rule === undefined) {
    ctx.log.warn(
      { adapter: adapter.name, target, description },
      'mitigation: orphan without a known rule; withdraw it by hand',
    );
    await ctx.audit({
      at,
      actor: 'engine',
      action: 'reject',
      tenant: '-',
      target,
      adapter: adapter.name,
      dryRun: false,
      reason: `orphan on ${adapter.name} without a known rule id: ${description}`,
    });
    return;
  }
  const { result } = await ctx.pool.call(adapter, 'withdraw', rule);
  await ctx.audit({
    at,
    actor: 'engine',
    action: 'withdraw',
    tenant: rule.tenant,
    target: rule.target,
    ruleId: rule.id,
    adapter: adapter.name,
    dryRun: false,
    reason: `restart: orphan no longer active${result.ok ? '' : ` — FAILED: ${result.error ?? 'error'}`}`,
    payload: result.payload,
  });
  if (rule.state !== 'withdrawn') await ctx.store.rules.upsert(transition(rule, 'withdraw'));
}

/** Announced, non-dry-run rules placed on `from`: the ones to move when it goes down. */
export function placedOn(ctx: ShellContext, from: string): Rule[] {
  const out: Rule[] = [];
  for (const [ruleId, name] of ctx.placement) {
    const active = ctx.state().rules.get(ruleId);
    if (name !== from || active === undefined || active.rule.state !== 'announced' || active.rule.dryRun)
      continue;
    out.push(active.rule);
  }
  return out;
}

/** Moves one rule off `from` (run on the rule's own chain, so it cannot interleave with its changes). */
export async function rehome(ctx: ShellContext, rule: Rule, from: string): Promise<void> {
  const ruleId = rule.id;
  if (ctx.placement.get(ruleId) !== from || !ctx.state().rules.has(ruleId)) return;
  const { adapter, result } = await ctx.pool.announce(rule, from);
  const now = ctx.clock.now();
  if (result.ok) ctx.placement.set(ruleId, adapter);
  else
    ctx.log.warn(
      { ruleId, from, error: result.error },
      'mitigation: could not re-home a rule off a down adapter',
    );
  await ctx.audit({
    at: now,
    actor: 'engine',
    action: result.ok ? 'announce' : 'retry',
    tenant: rule.tenant,
    target: rule.target,
    ruleId,
    ...(rule.attackId !== undefined ? { attackId: rule.attackId } : {}),
    adapter,
    dryRun: false,
    reason: `re-homed: adapter ${from} is down${result.ok ? ` — now on ${adapter}` : ` — FAILED: ${result.error ?? 'error'}`}`,
    payload: result.payload,
  });
}
