import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { budgetContract } from './budget-contract.js';
import { KyselyBudgetRepository } from './budget.js';
import { migrate } from './migrations.js';
import { KyselyRuleRepository } from './repositories.js';
import type { Database } from './schema.js';
import { openSqliteStore } from './sqlite.js';
import { auditChainContract } from './audit-chain-contract.js';
import { storeContract } from './store-contract.js';
import type { Store } from '../domain/store-port.js';

describe('SQLite store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  storeContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-sqlite-'));
    dirs.push(dir);
    return openSqliteStore(join(dir, 'sub', 'floodgate.db'));
  });

  it('keeps data across reopen and applies migrations once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-sqlite-'));
    dirs.push(dir);
    const path = join(dir, 'f.db');
    let store: Store = await openSqliteStore(path);
    await store.state.put('k', 'v1');
    await store.close();
    store = await openSqliteStore(path);
    expect(await store.state.get('k')).toBe('v1');
    await store.close();
  });
});

describe('SQLite audit log', () => {
  it('refuses UPDATE and DELETE at the database level', async () => {
    const { default: Database } = await import('better-sqlite3');
    const dir = mkdtempSync(join(tmpdir(), 'fg-sqlite-'));
    const path = join(dir, 'a.db');
    const store = await openSqliteStore(path);
    await store.audit.append({
      at: 1,
      actor: 'engine',
      action: 'announce',
      tenant: 'd',
      dryRun: true,
      reason: 'r',
    });
    await store.close();
    const raw = new Database(path);
    expect(() => raw.prepare(`UPDATE audit SET reason = 'x'`).run()).toThrow(/append-only/);
    expect(() => raw.prepare(`DELETE FROM audit`).run()).toThrow(/append-only/);
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('deployment budget on SQLite (contract; the SQLite store itself runs without it: one process)', () => {
  budgetContract(async () => {
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    });
    await migrate(db, 'sqlite', 0);
    // better-sqlite3 behind Kysely runs one transaction at a time: no lock needed in one process
    return {
      budget: new KyselyBudgetRepository(db, async () => undefined),
      rules: new KyselyRuleRepository(db),
      close: () => db.destroy(),
    };
  });
});

describe('SQLite audit hash chain', () => {
  auditChainContract(async () => {
    const { default: Database } = await import('better-sqlite3');
    const dir = mkdtempSync(join(tmpdir(), 'fg-sqlite-'));
    const path = join(dir, 'chain.db');
    const store = await openSqliteStore(path);
    const raw = new Database(path);
    return {
      store,
      exec: async (sql) => void raw.exec(sql),
      close: async () => {
        raw.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }, 'sqlite');

  it('chains on from records written before the chain existed, and covers them', async () => {
    const { default: Database } = await import('better-sqlite3');
    const dir = mkdtempSync(join(tmpdir(), 'fg-sqlite-'));
    const path = join(dir, 'legacy.db');
    const store = await openSqliteStore(path);
    await store.close();
    // a version-1 database with records: roll the schema back to what version 1 wrote
    let raw = new Database(path);
    raw.exec(`DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
      DELETE FROM schema_migrations WHERE version = 3; DROP TABLE audit_head; DROP TABLE api_tokens;
      DROP INDEX audit_hash; ALTER TABLE audit DROP COLUMN prev_hash; ALTER TABLE audit DROP COLUMN hash;
      INSERT INTO audit (at, actor, action, tenant, dry_run, reason) VALUES (1, 'engine', 'announce', 'd', 1, 'old 1');
      INSERT INTO audit (at, actor, action, tenant, dry_run, reason) VALUES (2, 'engine', 'withdraw', 'd', 1, 'old 2');`);
    raw.close();
    const again = await openSqliteStore(path);
    await again.audit.append({
      at: 3,
      actor: 'engine',
      action: 'announce',
      tenant: 'd',
      dryRun: true,
      reason: 'new',
    });
    expect(await again.audit.verify()).toMatchObject({ ok: true, records: 3, legacy: 2 });
    await again.close();
    raw = new Database(path);
    raw.exec(`UPDATE audit SET reason = 'rewritten' WHERE id = 1`);
    raw.close();
    const third = await openSqliteStore(path);
    const out = await third.audit.verify();
    expect(out.ok).toBe(false);
    expect(out.problems.map((p) => p.kind)).toEqual(['deleted']);
    await third.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
