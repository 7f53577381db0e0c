// Versioned migrations, one SQL text per dialect. Append only: never edit a released migration.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: Record<Dialect, readonly string[]>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'rules, attacks, append-only audit, state',
    sql: {
      sqlite: [
        `CREATE TABLE rules (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL,
           expires_at REAL NOT NULL, updated_at REAL NOT NULL, body TEXT NOT NULL)`,
        `CREATE INDEX rules_state ON rules (state, tenant)`,
        `CREATE TABLE attacks (attack_id TEXT PRIMARY KEY, target TEXT NOT NULL, family TEXT NOT NULL,
           direction TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL, last_event TEXT NOT NULL)`,
        `CREATE INDEX attacks_started ON attacks (started_at)`,
        `CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, actor TEXT NOT NULL,
           action TEXT NOT NULL, tenant TEXT NOT NULL, target TEXT, rule_id TEXT, attack_id TEXT, adapter TEXT,
           dry_run INTEGER NOT NULL, reason TEXT NOT NULL, payload TEXT)`,
        `CREATE INDEX audit_at ON audit (at)`,
        `CREATE INDEX audit_rule ON audit (rule_id)`,
        `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
        `CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
        `CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      ],
      postgres: [
        `CREATE TABLE rules (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL,
           expires_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL)`,
        `CREATE INDEX rules_state ON rules (state, tenant)`,
        `CREATE TABLE attacks (attack_id TEXT PRIMARY KEY, target TEXT NOT NULL, family TEXT NOT NULL,
           direction TEXT NOT NULL, started_at DOUBLE PRECISION NOT NULL, ended_at DOUBLE PRECISION,
           last_event TEXT NOT NULL)`,
        `CREATE INDEX attacks_started ON attacks (started_at)`,
        `CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION NOT NULL, actor TEXT NOT NULL,
           action TEXT NOT NULL, tenant TEXT NOT NULL, target TEXT, rule_id TEXT, attack_id TEXT, adapter TEXT,
           dry_run INTEGER NOT NULL, reason TEXT NOT NULL, payload TEXT)`,
        `CREATE INDEX audit_at ON audit (at)`,
        `CREATE INDEX audit_rule ON audit (rule_id)`,
        `CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$`,
        `CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
        `CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      ],
    },
  },
  {
    version: 2,
    name: 'deployments: the cluster-wide rate window per tenant',
    sql: {
      sqlite: [
        `CREATE TABLE deployments (id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, at REAL NOT NULL,
           rule_id TEXT NOT NULL)`,
        `CREATE INDEX deployments_tenant_at ON deployments (tenant, at)`,
        `CREATE INDEX rules_tenant_state ON rules (tenant, state)`,
      ],
      postgres: [
        `CREATE TABLE deployments (id BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
           rule_id TEXT NOT NULL)`,
        `CREATE INDEX deployments_tenant_at ON deployments (tenant, at)`,
        `CREATE INDEX rules_tenant_state ON rules (tenant, state)`,
      ],
    },
  },
  {
    version: 3,
    name: 'audit hash chain, API tokens',
    sql: {
      sqlite: [
        // each record carries the SHA-256 of its predecessor (audit-chain.ts); older rows stay NULL
        `ALTER TABLE audit ADD COLUMN prev_hash TEXT`,
        `ALTER TABLE audit ADD COLUMN hash TEXT`,
        `CREATE INDEX audit_hash ON audit (hash)`,
        // the newest link, written with each append, so deleting the newest records shows too
        `CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), last_id INTEGER, last_hash TEXT)`,
        `INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, NULL, NULL)`,
        `CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, tenant TEXT,
           secret_hash TEXT NOT NULL UNIQUE, rate_limit INTEGER, created_at REAL NOT NULL,
           created_by TEXT NOT NULL, revoked_at REAL)`,
        `CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL`,
      ],
      postgres: [
        `ALTER TABLE audit ADD COLUMN prev_hash TEXT`,
        `ALTER TABLE audit ADD COLUMN hash TEXT`,
        `CREATE INDEX audit_hash ON audit (hash)`,
        `CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), last_id BIGINT, last_hash TEXT)`,
        `INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, NULL, NULL)`,
        `CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, tenant TEXT,
           secret_hash TEXT NOT NULL UNIQUE, rate_limit INTEGER, created_at DOUBLE PRECISION NOT NULL,
           created_by TEXT NOT NULL, revoked_at DOUBLE PRECISION)`,
        `CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL`,
      ],
    },
  },
  {
    version: 4,
    name: 'notification incidents and dead letters',
    sql: {
      sqlite: [
        `CREATE TABLE incidents (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL,
           opened_at REAL NOT NULL, updated_at REAL NOT NULL, resolved_at REAL, body TEXT NOT NULL)`,
        `CREATE INDEX incidents_tenant ON incidents (tenant, updated_at)`,
        `CREATE INDEX incidents_state ON incidents (state)`,
        `CREATE TABLE notify_dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,
           channel TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, message TEXT NOT NULL)`,
      ],
      postgres: [
        `CREATE TABLE incidents (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL,
           opened_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, resolved_at DOUBLE PRECISION,
           body TEXT NOT NULL)`,
        `CREATE INDEX incidents_tenant ON incidents (tenant, updated_at)`,
        `CREATE INDEX incidents_state ON incidents (state)`,
        `CREATE TABLE notify_dead_letters (id BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION NOT NULL,
           channel TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, message TEXT NOT NULL)`,
      ],
    },
  },
];

/**
 * Applies every migration newer than the database's version, all in one transaction. On PostgreSQL an
 * advisory transaction lock serialises several processes starting at once.
 */
export async function migrate(db: Kysely<Database>, dialect: Dialect, now: number): Promise<number[]> {
  const create =
    dialect === 'sqlite'
      ? `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)`
      : `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)`;
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(7301)`.execute(trx);
    await sql.raw(create).execute(trx);
    const done = new Set(
      (await trx.selectFrom('schema_migrations').select('version').execute()).map((r) => Number(r.version)),
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of m.sql[dialect]) await sql.raw(statement).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: m.version, name: m.name, applied_at: now })
        .execute();
      applied.push(m.version);
    }
    return applied;
  });
}
