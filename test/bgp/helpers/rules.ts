// Rule fixtures for BGP tests, built through the one FlowSpec text grammar.
import type { Intent, Rule } from '../../../src/domain/rule.js';
import { isFlowSpecParseError, parseFlowSpec } from '../../../src/flowspec/index.js';
import type { FlowSpecAction, FlowSpecMatch } from '../../../src/flowspec/types.js';

export function match(text: string): FlowSpecMatch {
  const m = parseFlowSpec(text);
  if (isFlowSpecParseError(m)) throw new Error(`bad flowspec ${text}: ${m.message} at ${m.position}`);
  return m;
}

export function rule(id: string, intent: Intent, matchText: string, extra: Partial<Rule> = {}): Rule {
  const m = match(matchText);
  return {
    id,
    tenant: 'default',
    target: m.destination?.prefix ?? '0.0.0.0/0',
    family: m.family,
    intent,
    level: 0,
    match: m,
    actions: [] as FlowSpecAction[],
    ttlSeconds: 300,
    createdAt: 0,
    expiresAt: 300_000,
    origin: 'manual',
    reason: 'test',
    state: 'pending',
    dryRun: false,
    ...extra,
  };
}

export function rtbh(id: string, target: string, extra: Partial<Rule> = {}): Rule {
  const fam = target.includes(':') ? 6 : 4;
  return rule(id, 'blackhole', `flow${fam} dst ${target}`, extra);
}
