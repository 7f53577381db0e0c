// The behaviour of the cluster-wide deployment budget (budget.ts), run on SQLite by the unit test and on a
// real PostgreSQL by test/store/postgres.test.ts (there also across two store instances, i.e. processes).
import { expect, it } from 'vitest';
import { sampleRule } from '../domain/sample-rule.js';
import type { BudgetCharge, BudgetRepository, RuleRepository } from '../domain/store-port.js';

export interface BudgetRig {
  readonly budget: BudgetRepository;
  readonly rules: RuleRepository;
  /** A second handle on the same database (another process), when the store has one. */
  readonly other?: BudgetRepository;
  close(): Promise<void>;
}

const charge = (over: Partial<BudgetCharge> & { ruleId: string; at: number }): BudgetCharge => ({
  tenant: 't1',
  limit: 3,
  windowMs: 60_000,
  cap: 200,
  adds: true,
  ...over,
});

export function budgetContract(open: () => Promise<BudgetRig>): void {
  it('budget: admits `limit` deployments per sliding window, then answers when the oldest leaves it', async () => {
    const rig = await open();
    try {
      for (const [i, at] of [1_000, 2_000, 3_000].entries()) {
        expect(await rig.budget.charge(charge({ ruleId: `r${i}`, at }))).toMatchObject({ ok: true });
      }
      expect(await rig.budget.charge(charge({ ruleId: 'r3', at: 4_000 }))).toEqual({
        ok: false,
        reason: 'rate',
        retryAt: 61_000,
        deployments: 3,
        active: 0,
      });
      // another tenant has its own window
      expect(await rig.budget.charge(charge({ ruleId: 'x', tenant: 't2', at: 4_000 }))).toMatchObject({
        ok: true,
      });
      expect(await rig.budget.charge(charge({ ruleId: 'r3', at: 60_999 }))).toMatchObject({ ok: false });
      expect(await rig.budget.charge(charge({ ruleId: 'r3', at: 61_000 }))).toMatchObject({ ok: true });
    } finally {
      await rig.close();
    }
  });

  it('budget: the cap counts pending, announced and failed rules of the tenant; a replacement does not add', async () => {
    const rig = await open();
    try {
      await rig.rules.upsert(sampleRule('a', { tenant: 't1', state: 'announced' }));
      await rig.rules.upsert(sampleRule('b', { tenant: 't1', state: 'failed' }));
      await rig.rules.upsert(sampleRule('c', { tenant: 't1', state: 'withdrawn' }));
      await rig.rules.upsert(sampleRule('d', { tenant: 't2', state: 'announced' }));
      const at = 10_000;
      const rule = sampleRule('n1', { tenant: 't1', state: 'pending' });
      expect(await rig.budget.charge(charge({ ruleId: 'n1', at, cap: 3, limit: 100, rule }))).toMatchObject({
        ok: true,
        active: 3,
      });
      // the admitted rule was written in the same transaction: the next count sees it
      expect((await rig.rules.get('n1'))?.state).toBe('pending');
      expect(await rig.budget.charge(charge({ ruleId: 'n2', at, cap: 3, limit: 100 }))).toEqual({
        ok: false,
        reason: 'cap',
        retryAt: at + 2000,
        deployments: 1,
        active: 3,
      });
      const replacing = charge({ ruleId: 'n3', at, cap: 3, limit: 100, adds: false, replaces: 'a' });
      expect(await rig.budget.charge(replacing)).toMatchObject({ ok: true, active: 2 });
    } finally {
      await rig.close();
    }
  });

  it('budget: many charges at once never exceed the limit or the cap (atomic count and record)', async () => {
    const rig = await open();
    try {
      const handles = [rig.budget, rig.other ?? rig.budget];
      const answers = await Promise.all(
        Array.from({ length: 80 }, (_, i) =>
          (handles[i % 2] as BudgetRepository).charge(
            charge({
              ruleId: `c${i}`,
              at: 5_000 + (i % 7),
              limit: 30,
              cap: 1000,
              rule: sampleRule(`c${i}`, { tenant: 't1', state: 'pending' }),
            }),
          ),
        ),
      );
      expect(answers.filter((a) => a.ok)).toHaveLength(30);
      const capped = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (handles[i % 2] as BudgetRepository).charge(
            charge({
              ruleId: `k${i}`,
              tenant: 't3',
              at: 5_000,
              limit: 1000,
              cap: 12,
              rule: sampleRule(`k${i}`, { tenant: 't3', state: 'pending' }),
            }),
          ),
        ),
      );
      expect(capped.filter((a) => a.ok)).toHaveLength(12);
      expect(await rig.rules.list({ tenant: 't3', states: ['pending'] })).toHaveLength(12);
    } finally {
      await rig.close();
    }
  });
}
