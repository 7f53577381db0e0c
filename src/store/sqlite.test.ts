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
import { storeContract } from './store-contract.js';
import type { Store } from './types.js';

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
