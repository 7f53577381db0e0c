import { describe, expect, it } from 'vitest';
import { sampleRule } from './sample-rule.js';
import { RULE_TRANSITIONS, RuleTransitionError, type RuleTransition, transition } from './rule-lifecycle.js';
import type { RuleState } from './rule.js';

const STATES: readonly RuleState[] = ['pending', 'announced', 'failed', 'withdrawn'];

describe('rule lifecycle transition table', () => {
  it('allows exactly the moves in the table and lands where it says', () => {
    for (const [t, row] of Object.entries(RULE_TRANSITIONS) as [
      RuleTransition,
      (typeof RULE_TRANSITIONS)[RuleTransition],
    ][])
      for (const from of STATES) {
        const rule = sampleRule('r', { state: from });
        if (row.from.includes(from)) expect(transition(rule, t).state).toBe(row.to);
        else expect(() => transition(rule, t)).toThrow(RuleTransitionError);
      }
  });

  it('a withdrawn rule is never announced by an adapter result (only reinstated on purpose)', () => {
    const gone = sampleRule('r', { state: 'withdrawn' });
    expect(() => transition(gone, 'announce-ok')).toThrow(/announce-ok is not allowed from state withdrawn/);
    expect(() => transition(gone, 'announce-failed')).toThrow(RuleTransitionError);
    expect(transition(gone, 'reinstate').state).toBe('announced');
  });

  it('sets patched fields with the state and leaves the rest', () => {
    const r = sampleRule('r', { state: 'pending', expiresAt: 5 });
    const next = transition(r, 'announce-ok', { expiresAt: 9 });
    expect(next).toEqual({ ...r, state: 'announced', expiresAt: 9 });
    expect(r.state).toBe('pending');
  });
});
