// The store ports, declared by the core that calls them (ARCHITECTURE.md: ports belong to their
// consumers). SQLite (embedded default), PostgreSQL (many processes) and the in-memory double in
// src/store/ implement them, so callers never know which store they have. Notification repositories
// are notify's own port (src/notify/ports.ts).
import type { ApiToken } from './access.js';
import type { AttackEvent } from './attack.js';
import type { AuditAction, AuditRecord } from './audit.js';
import type { Rule, RuleState } from './rule.js';

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

export type ChainProblemKind = 'edited' | 'deleted' | 'reordered' | 'unchained' | 'truncated';

export interface ChainProblem {
  readonly id: number | null;
  readonly kind: ChainProblemKind;
  readonly message: string;
}

/** What walking the audit hash chain found (src/store/audit-chain.ts). */
export interface AuditVerification {
  readonly ok: boolean;
  /** Records checked (chained and legacy). */
  readonly records: number;
  /** Records written before the chain existed (no stored hash); covered by the first chained link. */
  readonly legacy: number;
  /** The newest link: publish it elsewhere to anchor the log beyond this database. */
  readonly head: { readonly id: number; readonly hash: string } | null;
  readonly problems: readonly ChainProblem[];
}

export interface AuditRepository {
  /** Append-only: there is no update or delete. Returns the assigned id. */
  append(record: AuditRecord): Promise<number>;
  query(query?: AuditQuery): Promise<AuditRecord[]>;
  /** Walks the hash chain (audit-chain.ts) and reports every broken link. */
  verify(): Promise<AuditVerification>;
}

export interface NewApiToken extends Omit<ApiToken, 'revokedAt'> {
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  readonly secretHash: string;
}

export interface TokenRepository {
  create(token: NewApiToken): Promise<ApiToken>;
  /** Active tokens (and revoked ones on request), oldest first. */
  list(query?: { tenant?: string; includeRevoked?: boolean }): Promise<ApiToken[]>;
  get(id: string): Promise<ApiToken | undefined>;
  findActiveBySecretHash(secretHash: string): Promise<ApiToken | undefined>;
  /** Returns false when the token is unknown or already revoked. */
  revoke(id: string, at: number): Promise<boolean>;
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

/** One deployment asking for room in its tenant's cluster-wide budget (docs/engine.md, Limits). */
export interface BudgetCharge {
  readonly tenant: string;
  readonly ruleId: string;
  readonly at: number;
  /** Deployments allowed per tenant in (at − windowMs, at]. */
  readonly limit: number;
  readonly windowMs: number;
  /** Active rules allowed per tenant; checked only when the deployment adds one (`adds`). */
  readonly cap: number;
  /** A new rule (not a replacement of `replaces`, not a retry of a rule already counted). */
  readonly adds: boolean;
  /** The rule this deployment replaces: not counted as active. */
  readonly replaces?: string;
  /** Written (state pending) in the same transaction when admitted, so the next count sees it. */
  readonly rule?: Rule;
}

export type BudgetAnswer =
  | { readonly ok: true; readonly deployments: number; readonly active: number }
  | {
      readonly ok: false;
      readonly reason: 'rate' | 'cap';
      /** Earliest time a retry can succeed (the oldest deployment leaves the window), or a poll time. */
      readonly retryAt: number;
      readonly deployments: number;
      readonly active: number;
    };

/**
 * The rate window and the active-rule cap counted in the shared store, so that processes sharing it
 * share one budget. `charge` is atomic: count and record happen under the tenant's advisory lock.
 */
export interface BudgetRepository {
  charge(c: BudgetCharge): Promise<BudgetAnswer>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly rules: RuleRepository;
  readonly attacks: AttackRepository;
  readonly audit: AuditRepository;
  readonly tokens: TokenRepository;
  readonly state: StateRepository;
  readonly locks: LockManager;
  /**
   * Cluster-wide deployment budget; present only where several processes share the store (PostgreSQL).
   * Without it each engine's own window and cap are the whole budget (SQLite: one process).
   */
  readonly budget?: BudgetRepository;
  close(): Promise<void>;
}
