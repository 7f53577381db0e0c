// The agent's delivery machinery: the circuit breaker's transitions (closed → open after N failures, no call
// while open, one trial when the wait is over, doubling waits up to the cap, closed again on success), the
// bounded queue (oldest dropped first, counted), and LocalMitigation converging a fake nftables target on
// the controller's answers (refusing intents and targets the host does not allow, expiring while offline).
import { describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { sampleRule } from '../domain/sample-rule.js';
import { BoundedQueue, closedBreaker, mayCall, onFailure, onSuccess } from './delivery.js';
import { LocalMitigation, type RuleTarget } from './local.js';

const CFG = { failures: 3, openMs: 1000, maxOpenMs: 4000 };

describe('circuit breaker', () => {
  it('opens after consecutive failures, trials once per wait, doubles the wait, closes on success', () => {
    let b = closedBreaker(CFG);
    b = onFailure(b, CFG, 0);
    b = onFailure(b, CFG, 0);
    expect(b.state).toBe('closed');
    expect(mayCall(b, 0).allowed).toBe(true);
    b = onFailure(b, CFG, 100);
    expect(b).toMatchObject({ state: 'open', openUntil: 1100, opened: 1 });
    expect(mayCall(b, 1099).allowed).toBe(false);
    let g = mayCall(b, 1100);
    expect(g).toMatchObject({ allowed: true, breaker: { state: 'half-open' } });
    b = g.breaker;
    expect(mayCall(b, 1100).allowed).toBe(false); // one trial at a time
    b = onFailure(b, CFG, 1200);
    expect(b).toMatchObject({ state: 'open', waitMs: 2000, openUntil: 3200, opened: 2 });
    b = onFailure(mayCall(b, 3200).breaker, CFG, 3200);
    expect(b).toMatchObject({ waitMs: 4000, openUntil: 7200 });
    b = onFailure(mayCall(b, 7200).breaker, CFG, 7200);
    expect(b.waitMs).toBe(4000); // capped
    g = mayCall(b, 11_200);
    b = onSuccess(g.breaker, CFG);
    expect(b).toMatchObject({ state: 'closed', consecutiveFailures: 0, waitMs: 1000 });
  });

  it('a success between failures resets the count', () => {
    let b = closedBreaker(CFG);
    b = onFailure(onFailure(b, CFG, 0), CFG, 0);
    b = onSuccess(b, CFG);
    b = onFailure(onFailure(b, CFG, 0), CFG, 0);
    expect(b.state).toBe('closed');
  });
});

describe('bounded queue', () => {
  it('keeps the newest `capacity` items in order and counts the dropped', () => {
    const q = new BoundedQueue<number>(3);
    for (let k = 1; k <= 5; k++) q.push(k);
    expect(q.length).toBe(3);
    expect(q.dropped).toBe(2);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5, undefined]);
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });
});

const rule = (id: string, target: string, intent: Rule['intent'] = 'drop', expiresAt = 10_000): Rule =>
  sampleRule(id, { target, intent, level: 2, actions: [], createdAt: 0, expiresAt, dryRun: false });

function fakeTarget() {
  const table = new Map<string, Rule>();
  const calls: string[] = [];
  const t: RuleTarget = {
    announce: async (r) => {
      calls.push(`+${r.id}`);
      table.set(r.id, r);
      return { ok: true };
    },
    withdraw: async (r) => {
      calls.push(`-${r.id}`);
      table.delete(r.id);
      return { ok: true };
    },
    list: async () => [...table.values()].map((r) => ({ ruleId: r.id, target: r.target })),
  };
  return { t, table, calls };
}

const quiet = { info: () => undefined, warn: () => undefined };

describe('LocalMitigation', () => {
  it('holds exactly the answered set: adds, keeps (a refreshed expiry is no change), removes', async () => {
    const { t, table, calls } = fakeTarget();
    const m = new LocalMitigation(t, ['drop', 'rate-limit'], ['10.0.0.0/24'], quiet);
    await m.apply([rule('a', '10.0.0.2/32'), rule('b', '10.0.0.3/32')]);
    expect([...table.keys()]).toEqual(['a', 'b']);
    await m.apply([{ ...rule('a', '10.0.0.2/32'), expiresAt: 20_000 }]);
    expect(calls).toEqual(['+a', '+b', '-b']);
    await m.apply([{ ...rule('a', '10.0.0.2/32'), intent: 'rate-limit' }]);
    expect(calls.at(-1)).toBe('+a'); // changed: re-announced (the adapter replaces it in one transaction)
    await m.apply([]);
    expect(table.size).toBe(0);
    expect(m.heldIds()).toEqual([]);
  });

  it('refuses intents not allowed here and targets outside this host’s networks', async () => {
    const { t, table } = fakeTarget();
    const m = new LocalMitigation(t, ['drop'], ['10.0.0.0/24'], quiet);
    await m.apply([
      rule('a', '10.0.1.2/32'),
      rule('b', '10.0.0.2/32', 'blackhole'),
      rule('c', '10.0.0.9/32'),
    ]);
    expect([...table.keys()]).toEqual(['c']);
    expect(m.refused).toBe(2);
  });

  it('drops rules past their expiry while offline, and what a previous run left at start', async () => {
    const { t, table } = fakeTarget();
    table.set('old', rule('old', '10.0.0.7/32'));
    const m = new LocalMitigation(t, ['drop'], ['10.0.0.0/24'], quiet);
    await m.reset();
    expect(table.size).toBe(0);
    await m.apply([rule('a', '10.0.0.2/32', 'drop', 5000), rule('b', '10.0.0.3/32', 'drop', 9000)]);
    await m.expire(6000);
    expect([...table.keys()]).toEqual(['b']);
  });
});
