// A rule's life as an explicit state machine (STYLE.md rule 6): the one table of transitions, each with
// its typed cause, enforced by `transition`. pending → announced (or failed, retried with backoff) →
// withdrawn; a rule another process announced, or one whose replacement was undone, is reinstated as
// announced. Every state change of a rule goes through here instead of spreading a new state in.
import type { Rule, RuleState } from './rule.js';

/** Why a rule changes state. */
export type RuleTransition = 'announce-ok' | 'announce-failed' | 'withdraw' | 'reinstate';

/** From which states each transition may start, and where it lands. */
export const RULE_TRANSITIONS: Readonly<
  Record<RuleTransition, { readonly from: readonly RuleState[]; readonly to: RuleState }>
> = {
  // an adapter took the announcement (first send, retry or re-announce of a held rule)
  'announce-ok': { from: ['pending', 'failed', 'announced'], to: 'announced' },
  // the adapter refused it and a retry is scheduled
  'announce-failed': { from: ['pending', 'failed', 'announced'], to: 'failed' },
  // expiry, operator, replacement, orphan at restart: from anywhere, idempotent
  withdraw: { from: ['pending', 'announced', 'failed', 'withdrawn'], to: 'withdrawn' },
  // held by another process sharing the store (adopted), or the previous rule of an undone replacement
  reinstate: { from: ['pending', 'announced', 'failed', 'withdrawn'], to: 'announced' },
};

export class RuleTransitionError extends Error {
  constructor(
    readonly rule: Pick<Rule, 'id' | 'state'>,
    readonly transition: RuleTransition,
  ) {
    super(`rule ${rule.id}: ${transition} is not allowed from state ${rule.state}`);
    this.name = 'RuleTransitionError';
  }
}

/** The rule after `t` (plus any field `patch` sets at the same time); throws on a move the table forbids. */
export function transition(rule: Rule, t: RuleTransition, patch?: Partial<Omit<Rule, 'state' | 'id'>>): Rule {
  const row = RULE_TRANSITIONS[t];
  if (!row.from.includes(rule.state)) throw new RuleTransitionError(rule, t);
  return { ...rule, ...patch, state: row.to };
}
