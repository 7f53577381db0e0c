// Repository ports. SQLite (embedded default) and PostgreSQL (many processes) implement the same
// interfaces, so callers never know which store they have.
import type { AttackEvent } from '../domain/attack.js';
import type { AuditAction, AuditRecord } from '../domain/audit.js';
import type { Rule, RuleState } from '../domain/rule.js';
import type { IncidentRepository, DeadLetterRepository } from './notify-types.js';

export interface RuleQuery {
  readonly tenant?: string;
  readonly states?: readonly RuleState[];
  readonly target?: string;
  readonly limit?: number;
}

export interface RuleRepository {
  /** Insert or replace by id. */
  upsert(rule: Rule): Promise<void>;
  get(id: string): Promise<Rule | undefined>;
  list(query?: RuleQuery): Promise<Rule[]>;
}

export interface AttackRecord {
  readonly attackId: string;
  readonly target: string;
  readonly family: string;
  readonly direction: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly lastEvent: AttackEvent;
}

export interface AttackQuery {
  readonly active?: boolean;
  readonly target?: string;
  readonly since?: number;
  readonly limit?: number;
}

export interface AttackRepository {
  /** Record one event; start creates, update/end modify. */
  record(event: AttackEvent): Promise<void>;
  list(query?: AttackQuery): Promise<AttackRecord[]>;
}

export interface AuditQuery {
  readonly tenant?: string;
  readonly target?: string;
  readonly ruleId?: string;
  readonly action?: AuditAction;
  readonly since?: number;
  readonly until?: number;
  readonly limit?: number;
  /** Return records with id greater than this (paging). */
  readonly afterId?: number;
}

export interface AuditRepository {
  /** Append-only: there is no update or delete. Returns the assigned id. */
  append(record: AuditRecord): Promise<number>;
  query(query?: AuditQuery): Promise<AuditRecord[]>;
}

/** Key/value blobs for state that must survive a restart (detection baselines, engine state). */
export interface StateRepository {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
}

/** Cross-process exclusion: SQLite is single-process (in-process mutex); PostgreSQL uses advisory locks. */
export interface LockManager {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly rules: RuleRepository;
  readonly attacks: AttackRepository;
  readonly audit: AuditRepository;
  readonly state: StateRepository;
  /** Notification incidents and dead letters (SQL stores; the engine's in-memory test store has none). */
  readonly incidents?: IncidentRepository;
  readonly deadLetters?: DeadLetterRepository;
  readonly locks: LockManager;
  close(): Promise<void>;
}
