// Rules for tests, built with the one Rule builder (src/domain/sample-rule.ts): FlowSpec term shorthands
// (RFC 8955 §4.2.1.1 numeric and §4.2.1.2 bitmask operators), a match from the one FlowSpec text grammar,
// and manual rules given as FlowSpec text.
import type { Intent, Rule } from '../../src/domain/rule.js';
import { sampleRule } from '../../src/domain/sample-rule.js';
import { isFlowSpecParseError, parseFlowSpec } from '../../src/flowspec/index.js';
import type { BitmaskTerm, FlowSpecMatch, NumericTerm } from '../../src/flowspec/types.js';

/** `=value`; `and` binds the term to the one before it (a range's upper end). */
export const eq = (value: number, and = false): NumericTerm => ({
  and,
  lt: false,
  gt: false,
  eq: true,
  value,
});
export const ge = (value: number, and = false): NumericTerm => ({
  and,
  lt: false,
  gt: true,
  eq: true,
  value,
});
export const le = (value: number, and = false): NumericTerm => ({
  and,
  lt: true,
  gt: false,
  eq: true,
  value,
});
export const gt = (value: number, and = false): NumericTerm => ({
  and,
  lt: false,
  gt: true,
  eq: false,
  value,
});
/** All of the bits in `value` set (match bit). */
export const all = (value: number, and = false): BitmaskTerm => ({ and, not: false, match: true, value });
/** None of the bits in `value` set (not bit). */
export const none = (value: number, and = false): BitmaskTerm => ({ and, not: true, match: false, value });

/** A match from FlowSpec text ("flow4 dst 203.0.113.5/32 proto =17"); a parse error throws. */
export function match(text: string): FlowSpecMatch {
  const m = parseFlowSpec(text);
  if (isFlowSpecParseError(m))
    throw new Error(`bad flowspec "${text}": ${m.error} at ${m.position}: ${m.message}`);
  return m;
}

/** A pending manual rule outside the escalation ladder (level 0) matching the FlowSpec text. */
export function rule(id: string, intent: Intent, matchText: string, extra: Partial<Rule> = {}): Rule {
  const m = match(matchText);
  return sampleRule(id, {
    target: m.destination?.prefix ?? '0.0.0.0/0',
    family: m.family,
    intent,
    level: 0,
    match: m,
    actions: [],
    createdAt: 0,
    expiresAt: 300_000,
    origin: 'manual',
    state: 'pending',
    dryRun: false,
    ...extra,
  });
}

/** A remotely triggered blackhole (RFC 7999) of the target, as a manual rule. */
export function rtbh(id: string, target: string, extra: Partial<Rule> = {}): Rule {
  const fam = target.includes(':') ? 6 : 4;
  return rule(id, 'blackhole', `flow${fam} dst ${target}`, extra);
}
