// Manual rules (API, CLI): built from the request, through the same guards, queue and limits.
import type { RefusalCode } from '../domain/errors.js';
import { INTENTS, INTENT_KIND } from '../domain/rule.js';
import type { FlowSpecMatch } from '../flowspec/types.js';
import { isFlowSpecParseError } from '../flowspec/errors.js';
import { parseFlowSpec } from '../flowspec/text.js';
import { type Prefix, formatPrefix, prefixEquals, tryParsePrefix } from '../net/index.js';
import { enqueue, routeHolder, withdraw } from './deploy.js';
import {
  type EngineState,
  decide,
  decideFor,
  finishEntry,
  nextId,
  policyFor,
  ruleDecision,
} from './engine-state.js';
import { tenantOf, validateRule } from './guards.js';
import { rateProblem, renderRule, routeKey } from './intents.js';
import { eqTerms } from './match.js';
import type { QueueItem } from './queue.js';
import type { EngineAction, ManualRuleRequest } from './types.js';
import { transition } from '../domain/rule-lifecycle.js';

export function toList(v: number | readonly number[] | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? [v] : [...v];
}

export function fail(out: EngineAction[], requestId: string, code: RefusalCode, reason: string): void {
  out.push({ kind: 'reply', requestId, result: { ok: false, code, reason } });
}

export function onManualAdd(
  s: EngineState,
  requestId: string,
  actor: string,
  req: ManualRuleRequest,
  now: number,
  out: EngineAction[],
): void {
  const p = typeof req.target === 'string' ? tryParsePrefix(req.target) : undefined;
  const tenant = req.tenant ?? (p ? tenantOf(s.guards, p) : undefined) ?? '-';
  const target = p ? formatPrefix(p) : String(req.target);
  const reject = (code: RefusalCode, reason: string): void => {
    decide(
      out,
      {
        at: now,
        action: 'reject',
        actor,
        tenant,
        target,
        ...(INTENTS.includes(req.intent) ? { intent: req.intent } : {}),
        reason,
      },
      s,
    );
    fail(out, requestId, code, reason);
  };
  if (p === undefined)
    return reject('invalid-target', `target ${JSON.stringify(req.target)} is not a canonical prefix`);
  if (!INTENTS.includes(req.intent))
    return reject('invalid-intent', `unknown intent ${JSON.stringify(req.intent)}`);
  const ttlSeconds = req.ttlSeconds ?? s.cfg.ttlSeconds;
  if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0))
    return reject('invalid-ttl', 'ttlSeconds must be a positive integer');
  if (req.rateBitsPerSecond !== undefined) {
    const problem = rateProblem(req.rateBitsPerSecond);
    if (problem !== undefined) return reject('invalid-rate', problem);
  }
  const protocols = toList(req.protocol);
  const ports = toList(req.port);
  const sourcePorts = toList(req.sourcePort);
  const narrowed = protocols || ports || sourcePorts;
  let textMatch: FlowSpecMatch | undefined;
  if (req.match !== undefined) {
    const m = parseMatch(req.match, p, req.intent);
    if (typeof m === 'string') return reject('invalid-match', m);
    if (narrowed) return reject('invalid-request', 'give either match or protocol/port/sourcePort, not both');
    textMatch = m;
  }
  const { policy } = policyFor(s, undefined);
  const rule = renderRule(
    {
      id: nextId(s),
      tenant,
      target,
      intent: req.intent,
      level: req.level ?? 0,
      depth: 'destination',
      ...(textMatch ? { match: textMatch } : {}),
      ...(narrowed
        ? {
            match: {
              family: p.family,
              ...(protocols ? { ipProtocol: eqTerms(protocols) } : {}),
              ...(ports ? { destinationPort: eqTerms(ports) } : {}),
              ...(sourcePorts ? { sourcePort: eqTerms(sourcePorts) } : {}),
            },
          }
        : {}),
      ...(req.rateBitsPerSecond !== undefined ? { rateBitsPerSecond: req.rateBitsPerSecond } : {}),
      ttlSeconds,
      now,
      origin: 'manual',
      reason: req.reason ?? `manual rule by ${actor}`,
      dryRun: s.cfg.dryRun || policy.dryRun || req.dryRun === true,
    },
    s.cfg,
  );
  const v = validateRule(s.guards, rule);
  if (!v.ok) return reject(v.code, v.reason);
  // One route, one rule (issue 19 item 4): a second rule on a route already held or queued is refused.
  const route = routeKey(v.rule);
  const held =
    routeHolder(s, v.rule)?.rule ??
    [...s.tenants.values()].flatMap((t) => t.queue).find((q) => routeKey(q.rule) === route)?.rule;
  if (held !== undefined)
    return reject(
      'duplicate-route',
      `rule ${held.id} (${held.origin} ${held.intent} ${held.target}) already holds this route; withdraw it first`,
    );
  const key = `manual:${rule.id}`;
  enqueue(
    s,
    {
      key,
      tenant,
      rule,
      action: 'announce',
      actor,
      reason: rule.reason,
      enqueuedAt: now,
      queuedNoticed: false,
      priority: false,
    },
    now,
    out,
  );
  const active = s.rules.get(rule.id);
  out.push({
    kind: 'reply',
    requestId,
    result: { ok: true, rule: active?.rule ?? rule, queued: active === undefined },
  });
}

/**
 * A manual match in the FlowSpec text grammar. Everything the guards check later (validateFlowSpec, tenant,
 * breadth) still applies; here only what the text itself must satisfy: it parses, its family is the
 * target's, its destination (when given) is exactly the target, and the intent is one a match narrows.
 */
export function parseMatch(text: string, target: Prefix, intent: string): FlowSpecMatch | string {
  if (typeof text !== 'string') return 'match must be FlowSpec text such as "flow4 proto =17 dport =53"';
  if (INTENTS.includes(intent as never) && INTENT_KIND[intent as (typeof INTENTS)[number]] === 'unicast')
    return `a ${intent} rule routes the whole target: it takes no match`;
  const m = parseFlowSpec(text);
  if (isFlowSpecParseError(m)) return `match: ${m.message} (at character ${m.position})`;
  if (m.family !== target.family)
    return `match is flow${m.family} but the target ${formatPrefix(target)} is IPv${target.family}`;
  if (m.destination !== undefined) {
    const d = tryParsePrefix(m.destination.prefix);
    if (d === undefined || !prefixEquals(d, target) || m.destination.offset)
      return `match destination ${m.destination.prefix} is not the target ${formatPrefix(target)}`;
  }
  return m;
}

export function onManualWithdraw(
  s: EngineState,
  requestId: string,
  actor: string,
  ruleId: string,
  reason: string | undefined,
  now: number,
  out: EngineAction[],
): void {
  const why = reason ?? `manual withdraw by ${actor}`;
  const ar = s.rules.get(ruleId);
  if (ar !== undefined) {
    const entry = ar.rule.origin === 'auto' ? s.targets.get(ar.key) : undefined;
    withdraw(s, ar, now, 'withdraw', why, actor, out);
    if (entry !== undefined) {
      finishEntry(s, entry);
      s.suppressed.set(entry.key, now + s.cfg.limits.cooldownMs);
    }
    out.push({
      kind: 'reply',
      requestId,
      result: { ok: true, rule: transition(ar.rule, 'withdraw'), queued: false },
    });
    return;
  }
  for (const t of s.tenants.values()) {
    const i = t.queue.findIndex((q) => q.rule.id === ruleId);
    if (i < 0) continue;
    const item = t.queue[i] as QueueItem;
    t.queue.splice(i, 1);
    decideFor(out, ruleDecision('withdraw', item.rule, now, `${why} (was queued, never announced)`, actor));
    const entry = s.targets.get(item.key);
    if (entry !== undefined && entry.ruleId === undefined) {
      finishEntry(s, entry);
      s.suppressed.set(entry.key, now + s.cfg.limits.cooldownMs);
    }
    out.push({
      kind: 'reply',
      requestId,
      result: { ok: true, rule: transition(item.rule, 'withdraw'), queued: false },
    });
    return;
  }
  fail(out, requestId, 'not-found', `no active or queued rule ${ruleId}`);
}
