// SQLite audit append: read the chain head, link, insert and move the head in one BEGIN IMMEDIATE
// transaction on the raw connection. IMMEDIATE takes the write lock before the head is read, so a
// second process on the same file (the CLI minting a token while the daemon runs) waits instead of
// forking the chain; being synchronous, nothing else on this connection runs in between.
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { type ChainRow, GENESIS, linkHash } from './audit-chain.js';

export function sqliteChainedAppend(sqlite: SqliteDatabase): (row: ChainRow) => number {
  const readHead = sqlite.prepare<[], { last_hash: string | null }>(
    'SELECT last_hash FROM audit_head WHERE id = 1',
  );
  const allRows = sqlite.prepare<[], ChainRow & { hash: string | null }>('SELECT * FROM audit ORDER BY id');
  const insert = sqlite.prepare(
    `INSERT INTO audit (at, actor, action, tenant, target, rule_id, attack_id, adapter, dry_run, reason, payload,
       prev_hash, hash)
     VALUES (@at, @actor, @action, @tenant, @target, @rule_id, @attack_id, @adapter, @dry_run, @reason, @payload,
       @prev_hash, @hash)`,
  );
  const moveHead = sqlite.prepare(
    `INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, @id, @hash)
     ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash`,
  );
  /** Link of the newest record when no head exists yet (empty log, or records older than the chain). */
  const legacyTail = (): string => {
    let prev = GENESIS;
    for (const r of allRows.iterate()) prev = r.hash ?? linkHash(r, prev);
    return prev;
  };
  const append = sqlite.transaction((row: ChainRow): number => {
    const prev = readHead.get()?.last_hash ?? legacyTail();
    const hash = linkHash(row, prev);
    const id = Number(insert.run({ ...row, prev_hash: prev, hash }).lastInsertRowid);
    moveHead.run({ id, hash });
    return id;
  });
  return (row) => append.immediate(row);
}
