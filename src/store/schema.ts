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
}

export interface StateTable {
  key: string;
  value: string;
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
  state: StateTable;
  incidents: IncidentsTable;
  notify_dead_letters: DeadLettersTable;
  schema_migrations: MigrationsTable;
}
