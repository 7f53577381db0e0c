// In-memory Store: the test double of the store ports (same behaviour as the SQLite and PostgreSQL
// stores, checked by src/store/store-contract.ts) and the store of `floodgate simulate`.
import type { ApiToken } from '../domain/access.js';
import type { AttackEvent } from '../domain/attack.js';
import type { AuditRecord } from '../domain/audit.js';
import type { Rule } from '../domain/rule.js';
import { InProcessLocks } from './locks.js';
import type {
  AttackQuery,
  AttackRecord,
  AttackRepository,
  AuditQuery,
  AuditRepository,
  AuditVerification,
  LockManager,
  NewApiToken,
  RuleQuery,
  RuleRepository,
  StateRepository,
  Store,
  TokenRepository,
} from '../domain/store-port.js';

// Rules and records are immutable values (the engine replaces, never mutates them), so they are kept by
// reference; only attack events, which callers own, are copied.
const clone = <T>(v: T): T => structuredClone(v);
const limitOf = (limit: number | undefined, fallback: number): number =>
  Math.max(1, Math.min(limit ?? fallback, 10_000));

class MemoryRules implements RuleRepository {
  private readonly rows = new Map<string, { rule: Rule; seq: number }>();
  /** target → ids, so that the engine's per-announce duplicate check does not scan every rule. */
  private readonly byTarget = new Map<string, Set<string>>();
  private seq = 0;
  async upsert(rule: Rule): Promise<void> {
    const old = this.rows.get(rule.id);
    if (old !== undefined) this.byTarget.get(old.rule.target)?.delete(rule.id);
    this.rows.delete(rule.id);
    this.rows.set(rule.id, { rule, seq: ++this.seq });
    let ids = this.byTarget.get(rule.target);
    if (ids === undefined) this.byTarget.set(rule.target, (ids = new Set()));
    ids.add(rule.id);
  }
  async get(id: string): Promise<Rule | undefined> {
    const r = this.rows.get(id);
    return r?.rule;
  }
  async list(q: RuleQuery = {}): Promise<Rule[]> {
    const rows =
      q.target !== undefined
        ? [...(this.byTarget.get(q.target) ?? [])].map(
            (id) => this.rows.get(id) as { rule: Rule; seq: number },
          )
        : [...this.rows.values()];
    const out = rows
      .filter(({ rule }) => q.tenant === undefined || rule.tenant === q.tenant)
      .filter(({ rule }) => q.target === undefined || rule.target === q.target)
      .filter(({ rule }) => q.states === undefined || q.states.length === 0 || q.states.includes(rule.state))
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limitOf(q.limit, 10_000));
    return out.map((r) => r.rule);
  }
}

class MemoryAttacks implements AttackRepository {
  private readonly rows = new Map<string, AttackRecord>();
  async record(event: AttackEvent): Promise<void> {
    const prev = this.rows.get(event.attackId);
    this.rows.set(event.attackId, {
      attackId: event.attackId,
      target: event.target,
      family: event.family,
      direction: event.direction,
      startedAt: prev?.startedAt ?? event.startedAt,
      ...(event.kind === 'end' ? { endedAt: event.at } : {}),
      lastEvent: clone(event),
    });
  }
  async list(q: AttackQuery = {}): Promise<AttackRecord[]> {
    return [...this.rows.values()]
      .filter((a) => q.active === undefined || (a.endedAt === undefined) === q.active)
      .filter((a) => q.target === undefined || a.target === q.target)
      .filter((a) => q.since === undefined || a.startedAt >= q.since)
      .sort((a, b) => b.startedAt - a.startedAt)
      .slice(0, limitOf(q.limit, 1000))
      .map(clone);
  }
}

class MemoryAudit implements AuditRepository {
  readonly records: AuditRecord[] = [];
  async append(record: AuditRecord): Promise<number> {
    const id = this.records.length + 1;
    this.records.push(Object.freeze({ ...record, id }));
    return id;
  }
  async query(q: AuditQuery = {}): Promise<AuditRecord[]> {
    const hits = this.records.filter(
      (r) =>
        (q.tenant === undefined || r.tenant === q.tenant) &&
        (q.target === undefined || r.target === q.target) &&
        (q.ruleId === undefined || r.ruleId === q.ruleId) &&
        (q.action === undefined || r.action === q.action) &&
        (q.since === undefined || r.at >= q.since) &&
        (q.until === undefined || r.at < q.until) &&
        (q.afterId === undefined || (r.id as number) > q.afterId),
    );
    if (q.afterId === undefined) hits.reverse();
    return hits.slice(0, limitOf(q.limit, 1000));
  }
  /** Frozen records in process memory: nothing outside the process can edit them. */
  async verify(): Promise<AuditVerification> {
    return { ok: true, records: this.records.length, legacy: 0, head: null, problems: [] };
  }
}

class MemoryTokens implements TokenRepository {
  private readonly rows = new Map<string, { token: ApiToken; secretHash: string }>();
  async create(t: NewApiToken): Promise<ApiToken> {
    const { secretHash, ...rest } = t;
    const token: ApiToken = { ...rest, revokedAt: null };
    if ([...this.rows.values()].some((r) => r.token.name === t.name && r.token.revokedAt === null))
      throw new Error(`token name ${t.name} is taken`);
    this.rows.set(t.id, { token, secretHash });
    return token;
  }
  async list(q: { tenant?: string; includeRevoked?: boolean } = {}): Promise<ApiToken[]> {
    return [...this.rows.values()]
      .map((r) => r.token)
      .filter((t) => (q.tenant === undefined || t.tenant === q.tenant) && (q.includeRevoked || !t.revokedAt));
  }
  async get(id: string): Promise<ApiToken | undefined> {
    return this.rows.get(id)?.token;
  }
  async findActiveBySecretHash(hash: string): Promise<ApiToken | undefined> {
    return [...this.rows.values()].find((r) => r.secretHash === hash && r.token.revokedAt === null)?.token;
  }
  async revoke(id: string, at: number): Promise<boolean> {
    const r = this.rows.get(id);
    if (!r || r.token.revokedAt !== null) return false;
    r.token = { ...r.token, revokedAt: at };
    return true;
  }
}

class MemoryState implements StateRepository {
  private readonly kv = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.kv.get(key);
  }
  async put(key: string, value: string): Promise<void> {
    this.kv.set(key, value);
  }
}

export class MemoryStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly rules = new MemoryRules();
  readonly attacks = new MemoryAttacks();
  readonly audit = new MemoryAudit();
  readonly tokens = new MemoryTokens();
  readonly state = new MemoryState();
  readonly locks: LockManager;
  constructor(locks: LockManager = new InProcessLocks()) {
    this.locks = locks;
  }
  async close(): Promise<void> {}
}
