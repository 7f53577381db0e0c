// Table shapes shared by the SQLite and PostgreSQL stores (Kysely's typed view of them).
import type { Generated } from 'kysely';

export interface RulesTable {
  id: string;
  tenant: string;
  target: string;
  state: string;
  expires_at: number;
  updated_at: number;
  body: string;
}

export interface AttacksTable {
  attack_id: string;
  target: string;
  family: string;
  direction: string;
  started_at: number;
  ended_at: number | null;
  last_event: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  tenant: string;
  target: string | null;
  rule_id: string | null;
  attack_id: string | null;
  adapter: string | null;
  dry_run: number;
  reason: string;
  payload: string | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface AuditHeadTable {
  id: number;
  last_id: number | null;
  last_hash: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  tenant: string | null;
  secret_hash: string;
  rate_limit: number | null;
  created_at: number;
  created_by: string;
  revoked_at: number | null;
}

export interface StateTable {
  key: string;
  value: string;
}

/** One announcement charged against a tenant's cluster-wide rate window (migration 2). */
export interface DeploymentsTable {
  id: Generated<number>;
  tenant: string;
  at: number;
  rule_id: string;
}

export interface IncidentsTable {
  id: string;
  tenant: string;
  subject: string;
  state: string;
  opened_at: number;
  updated_at: number;
  resolved_at: number | null;
  body: string;
}

export interface DeadLettersTable {
  id: Generated<number>;
  at: number;
  channel: string;
  error: string;
  attempts: number;
  message: string;
}

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface Database {
  rules: RulesTable;
  attacks: AttacksTable;
  audit: AuditTable;
  audit_head: AuditHeadTable;
  api_tokens: ApiTokensTable;
  state: StateTable;
  deployments: DeploymentsTable;
  incidents: IncidentsTable;
  notify_dead_letters: DeadLettersTable;
  schema_migrations: MigrationsTable;
}
