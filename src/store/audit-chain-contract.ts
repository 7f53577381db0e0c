// Tamper tests of the audit hash chain, run against SQLite (unit test) and a real PostgreSQL server
// (interop test) alike: each test edits the database directly, around the store, as an attacker with
// database access would, and `verify()` must name the damage.
import { expect, it } from 'vitest';
import type { AuditRecord } from '../domain/audit.js';
import type { Store } from '../domain/store-port.js';

export interface TamperTarget {
  readonly store: Store;
  /** Runs raw SQL on the same database through another connection. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** SQL that lifts the append-only triggers, per dialect. */
export const UNLOCK_AUDIT = {
  sqlite: 'DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;',
  postgres: 'DROP TRIGGER audit_no_change ON audit;',
} as const;

function record(i: number): AuditRecord {
  return {
    at: 1_000 + i * 1.5,
    actor: i % 2 ? 'engine' : 'api:alice',
    action: i % 3 ? 'announce' : 'withdraw',
    tenant: i % 2 ? 'default' : 'blue',
    target: `203.0.113.${i}/32`,
    ruleId: `r${i}`,
    dryRun: i % 2 === 0,
    reason: `record ${i}`,
    ...(i % 2 ? { payload: { text: `flow4 dst 203.0.113.${i}/32`, n: [i, 0.1] } } : {}),
  };
}

async function fill(store: Store, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= n; i++) ids.push(await store.audit.append(record(i)));
  return ids;
}

export function auditChainContract(open: () => Promise<TamperTarget>, dialect: 'sqlite' | 'postgres'): void {
  const tampered = async (sql: string) => {
    const t = await open();
    try {
      const ids = await fill(t.store, 6);
      const before = await t.store.audit.verify();
      expect(before).toMatchObject({ ok: true, records: 6, legacy: 0, problems: [] });
      expect(before.head?.id).toBe(ids[5]);
      await t.exec(UNLOCK_AUDIT[dialect]);
      await t.exec(sql.replaceAll('$3', String(ids[2])).replaceAll('$4', String(ids[3])));
      return await t.store.audit.verify();
    } finally {
      await t.close();
    }
  };

  it('a clean chain verifies, and appends chain on from the stored head', async () => {
    const t = await open();
    try {
      expect(await t.store.audit.verify()).toEqual({
        ok: true,
        records: 0,
        legacy: 0,
        head: null,
        problems: [],
      });
      await fill(t.store, 3);
      const out = await t.store.audit.verify();
      expect(out.ok).toBe(true);
      expect(out.head?.hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await t.close();
    }
  });

  it('finds an edited record', async () => {
    const out = await tampered(`UPDATE audit SET reason = 'nothing happened' WHERE id = $3`);
    expect(out.ok).toBe(false);
    expect(out.problems).toEqual([expect.objectContaining({ kind: 'edited' })]);
  });

  it('finds an edited payload and an edited timestamp', async () => {
    const out = await tampered(`UPDATE audit SET payload = '{"text":"x"}', at = at + 1 WHERE id = $3`);
    expect(out.problems.map((p) => p.kind)).toEqual(['edited']);
  });

  it('finds a record edited together with a recomputed hash (its successor no longer links)', async () => {
    const out = await tampered(`UPDATE audit SET reason = 'x', hash = '${'ab'.repeat(32)}' WHERE id = $3`);
    expect(out.ok).toBe(false);
    expect(out.problems.map((p) => p.kind)).toContain('deleted');
  });

  it('finds a deleted record', async () => {
    const out = await tampered(`DELETE FROM audit WHERE id = $3`);
    expect(out.ok).toBe(false);
    expect(out.problems).toEqual([expect.objectContaining({ kind: 'deleted' })]);
  });

  it('finds reordered records', async () => {
    const out = await tampered(
      `UPDATE audit SET id = -1 WHERE id = $3; UPDATE audit SET id = $3 WHERE id = $4; UPDATE audit SET id = $4 WHERE id = -1`,
    );
    expect(out.ok).toBe(false);
    expect(out.problems.length).toBeGreaterThan(0);
    expect(out.problems.every((p) => p.kind === 'reordered')).toBe(true);
  });

  it('finds the newest records deleted (against the head)', async () => {
    const out = await tampered(`DELETE FROM audit WHERE id > $4`);
    expect(out.ok).toBe(false);
    expect(out.problems.map((p) => p.kind)).toEqual(['truncated']);
  });

  it('finds a record inserted around the store', async () => {
    const out = await tampered(
      `INSERT INTO audit (at, actor, action, tenant, dry_run, reason) VALUES (5000, 'x', 'announce', 'default', 0, 'forged')`,
    );
    expect(out.ok).toBe(false);
    expect(out.problems.map((p) => p.kind)).toContain('unchained');
  });
}
