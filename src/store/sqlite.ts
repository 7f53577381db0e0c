// Embedded default store: one SQLite file in WAL mode (better-sqlite3 behind Kysely).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { InProcessLocks } from './locks.js';
import { migrate } from './migrations.js';
import {
  KyselyAttackRepository,
  KyselyAuditRepository,
  KyselyRuleRepository,
  KyselyStateRepository,
} from './repositories.js';
import { KyselyDeadLetterRepository, KyselyIncidentRepository } from './notify-repositories.js';
import type { Database } from './schema.js';
import { sqliteChainedAppend } from './sqlite-audit.js';
import { KyselyTokenRepository } from './tokens.js';
import type { SqlStore } from './sql-store.js';

export async function openSqliteStore(path: string, now: number = Date.now()): Promise<SqlStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, 'sqlite', now);
  return {
    kind: 'sqlite',
    rules: new KyselyRuleRepository(db),
    attacks: new KyselyAttackRepository(db),
    audit: new KyselyAuditRepository(db, 'sqlite', sqliteChainedAppend(sqlite)),
    tokens: new KyselyTokenRepository(db),
    state: new KyselyStateRepository(db),
    incidents: new KyselyIncidentRepository(db),
    deadLetters: new KyselyDeadLetterRepository(db),
    locks: new InProcessLocks(),
    close: () => db.destroy(),
  };
}
