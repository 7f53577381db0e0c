// PostgreSQL store for several engine processes: the same repositories, plus advisory locks so that
// two processes handling one attack produce exactly one rule, and the cluster-wide deployment budget.
// Session locks live on a pool of their own: a holder runs queries on the main pool, so holders can
// never starve each other of connections (with one shared pool, ten holders waiting for an eleventh
// connection would deadlock).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyBudgetRepository, postgresTransactionLock } from './budget.js';
import { InProcessLocks, advisoryKey } from './locks.js';
import { migrate } from './migrations.js';
import {
  KyselyAttackRepository,
  KyselyAuditRepository,
  KyselyRuleRepository,
  KyselyStateRepository,
} from './repositories.js';
import { KyselyDeadLetterRepository, KyselyIncidentRepository } from './notify-repositories.js';
import type { Database } from './schema.js';
import { KyselyTokenRepository } from './tokens.js';
import type { LockManager } from '../domain/store-port.js';
import type { SqlStore } from './sql-store.js';

class AdvisoryLocks implements LockManager {
  /** In-process order first (FIFO per key, one server connection per key and process), then the server's. */
  private readonly local = new InProcessLocks();

  constructor(private readonly pool: pg.Pool) {}

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.withLock(key, () => this.advisory(key, fn));
  }

  private async advisory<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const id = advisoryKey(key).toString();
    // a checked-out client reports a dropped connection as an event; the pending query rejects anyway
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [id]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [id]);
      }
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }
}

export async function openPostgresStore(
  url: string,
  now: number = Date.now(),
  onIdleError?: (err: Error) => void,
): Promise<SqlStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const lockPool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle pooled connection can be dropped by the server (restart, failover, admin shutdown); pg
  // emits that on the pool, and unhandled it would kill the process. The pool replaces the client on
  // the next query, and a query that fails reports its own error.
  pool.on('error', (err) => onIdleError?.(err));
  lockPool.on('error', (err) => onIdleError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrate(db, 'postgres', now);
  return {
    kind: 'postgres',
    rules: new KyselyRuleRepository(db),
    attacks: new KyselyAttackRepository(db),
    audit: new KyselyAuditRepository(db, 'postgres'),
    tokens: new KyselyTokenRepository(db),
    state: new KyselyStateRepository(db),
    incidents: new KyselyIncidentRepository(db),
    deadLetters: new KyselyDeadLetterRepository(db),
    locks: new AdvisoryLocks(lockPool),
    budget: new KyselyBudgetRepository(db, postgresTransactionLock),
    close: async () => {
      await db.destroy();
      await lockPool.end();
    },
  };
}
