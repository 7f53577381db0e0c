// Collateral-damage rollback: when legitimate (non-matching) traffic towards a target collapses after a
// rule stands, replace the rule with a narrower one. Narrower means matching less traffic: unicast and
// local discards become a signature drop; a drop gains every signature component; a drop already as
// narrow as the signature allows becomes a rate-limit; a rate-limit with nothing left to add is withdrawn.
import type { Signature } from '../domain/attack.js';
import type { EscalationLevel, Intent, Rule } from '../domain/rule.js';
import { type MatchDepth, componentCount, signatureMatch } from './match.js';

export interface Narrowing {
  readonly intent: Intent;
  readonly level: EscalationLevel;
  readonly depth: MatchDepth;
  readonly why: string;
}

/** Collapse test: legitimate traffic now below `ratio` × the baseline measured before the rule. */
export function collapsed(
  baselineBps: number,
  nowBps: number,
  ratio: number,
  minBaselineBps: number,
): boolean {
  return baselineBps >= minBaselineBps && nowBps < baselineBps * ratio;
}

/** The next narrower rule for `rule`, or undefined when none is narrower (then it is withdrawn). */
export function narrower(rule: Rule, signature: Signature | undefined): Narrowing | undefined {
  const full = signatureMatch(rule.family, rule.target, signature, 'full');
  const adds = componentCount(full) > componentCount(rule.match);
  switch (rule.intent) {
    case 'blackhole':
    case 'scrubbing':
    case 'geo-lockdown':
      return { intent: 'drop', level: 2, depth: 'full', why: `${rule.intent} replaced by a signature drop` };
    case 'drop':
      return adds
        ? { intent: 'drop', level: 2, depth: 'full', why: 'drop narrowed to every signature component' }
        : {
            intent: 'rate-limit',
            level: 1,
            depth: 'full',
            why: 'drop replaced by a rate-limit of the same match',
          };
    case 'rate-limit':
      return adds
        ? {
            intent: 'rate-limit',
            level: 1,
            depth: 'full',
            why: 'rate-limit narrowed to every signature component',
          }
        : undefined;
    case 'vrf-redirect':
    case 'syn-cookies':
    case 'synproxy':
      return undefined;
  }
}
