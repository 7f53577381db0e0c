// The cluster's own tables in the shared PostgreSQL store: the leader row (fencing token), the fence log
// (every announce/withdraw checked against the token), shard leases and detector membership. Created
// here rather than in the store's migrations so the store stays unaware of the cluster; creation is
// serialised across processes starting at once by a transaction-scoped advisory lock.
import type pg from 'pg';

const CLUSTER_SCHEMA_LOCK = 7302;

const DDL = `
CREATE TABLE IF NOT EXISTS fg_cluster_leader (
  id integer PRIMARY KEY CHECK (id = 1),
  token bigint NOT NULL,
  holder text,
  holder_app text,
  renewed_at timestamptz
);
INSERT INTO fg_cluster_leader (id, token) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS fg_cluster_fence (
  id bigserial PRIMARY KEY,
  at bigint NOT NULL,
  token bigint NOT NULL,
  current_token bigint NOT NULL,
  holder text NOT NULL,
  op text NOT NULL,
  rule_id text NOT NULL,
  adapter text NOT NULL,
  outcome text NOT NULL,
  rule text
);
CREATE TABLE IF NOT EXISTS fg_cluster_member (
  id text PRIMARY KEY,
  role text NOT NULL,
  renewed_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS fg_shard_lease (
  shard integer PRIMARY KEY,
  owner text,
  renewed_at timestamptz,
  epoch bigint NOT NULL DEFAULT 0
);
`;

export async function ensureClusterSchema(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [CLUSTER_SCHEMA_LOCK]);
    await client.query(DDL);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/**
 * The URL with this process's application_name: every session of a process carries it, so a standby can
 * end all sessions of a leader that stopped renewing (and with them any row lock it still holds).
 */
export function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

/** application_name is at most 63 bytes (NAMEDATALEN - 1); longer ones are truncated by the server. */
export function sessionName(node: string, pid: number, startedAt: number): string {
  return `fg:${node.slice(0, 32)}:${pid}:${startedAt.toString(36)}`;
}
