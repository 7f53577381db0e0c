// Repository implementations over Kysely: the same queries serve SQLite and PostgreSQL.
import type { Kysely } from 'kysely';
import type { AttackEvent } from '../domain/attack.js';
import type { AuditAction, AuditRecord } from '../domain/audit.js';
import type { Rule } from '../domain/rule.js';
import { type ChainRow, ChainVerifier, GENESIS, linkHash, type StoredRow } from './audit-chain.js';
import type { Dialect } from './migrations.js';
import type { Database } from './schema.js';
import { bodies, clampLimit, getBody, MAX_LIMIT, upsertBody } from './body-rows.js';
import type {
  AttackQuery,
  AttackRecord,
  AttackRepository,
  AuditQuery,
  AuditRepository,
  AuditVerification,
  RuleQuery,
  RuleRepository,
  StateRepository,
} from '../domain/store-port.js';

export class KyselyRuleRepository implements RuleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(rule: Rule): Promise<void> {
    await upsertBody(this.db, 'rules', {
      id: rule.id,
      tenant: rule.tenant,
      target: rule.target,
      state: rule.state,
      expires_at: rule.expiresAt,
      updated_at: Date.now(),
      body: JSON.stringify(rule),
    });
  }

  get(id: string): Promise<Rule | undefined> {
    return getBody<Rule>(this.db, 'rules', id);
  }

  async list(query: RuleQuery = {}): Promise<Rule[]> {
    let q = this.db.selectFrom('rules').select('body');
    if (query.tenant !== undefined) q = q.where('tenant', '=', query.tenant);
    if (query.target !== undefined) q = q.where('target', '=', query.target);
    if (query.states !== undefined && query.states.length > 0) q = q.where('state', 'in', [...query.states]);
    const rows = await q.orderBy('updated_at', 'desc').limit(clampLimit(query.limit, MAX_LIMIT)).execute();
    return bodies<Rule>(rows);
  }
}

export class KyselyAttackRepository implements AttackRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(event: AttackEvent): Promise<void> {
    const row = {
      attack_id: event.attackId,
      target: event.target,
      family: event.family,
      direction: event.direction,
      started_at: event.startedAt,
      ended_at: event.kind === 'end' ? event.at : null,
      last_event: JSON.stringify(event),
    };
    await this.db
      .insertInto('attacks')
      .values(row)
      .onConflict((oc) =>
        oc.column('attack_id').doUpdateSet({
          target: row.target,
          family: row.family,
          ended_at: row.ended_at,
          last_event: row.last_event,
        }),
      )
      .execute();
  }

  async list(query: AttackQuery = {}): Promise<AttackRecord[]> {
    let q = this.db.selectFrom('attacks').selectAll();
    if (query.active === true) q = q.where('ended_at', 'is', null);
    if (query.active === false) q = q.where('ended_at', 'is not', null);
    if (query.target !== undefined) q = q.where('target', '=', query.target);
    if (query.since !== undefined) q = q.where('started_at', '>=', query.since);
    const rows = await q.orderBy('started_at', 'desc').limit(clampLimit(query.limit, 1000)).execute();
    return rows.map((r) => ({
      attackId: r.attack_id,
      target: r.target,
      family: r.family,
      direction: r.direction,
      startedAt: Number(r.started_at),
      ...(r.ended_at !== null ? { endedAt: Number(r.ended_at) } : {}),
      lastEvent: JSON.parse(r.last_event) as AttackEvent,
    }));
  }
}

export class KyselyAuditRepository implements AuditRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** SQLite: a synchronous append in one IMMEDIATE transaction (sqlite.ts); PostgreSQL uses Kysely. */
    private readonly appendSync?: (row: ChainRow) => number,
  ) {}

  /**
   * Appends under the store's append serialisation: the head row is locked (FOR UPDATE on PostgreSQL,
   * across processes; SQLite has one writer), the link computed from it, the record and head written
   * in one transaction.
   */
  async append(record: AuditRecord): Promise<number> {
    const values = chainRow(record);
    if (this.appendSync) return this.appendSync(values);
    return this.db.transaction().execute((trx) => appendAuditIn(trx, this.dialect, record));
  }

  async query(query: AuditQuery = {}): Promise<AuditRecord[]> {
    let q = this.db.selectFrom('audit').selectAll();
    if (query.tenant !== undefined) q = q.where('tenant', '=', query.tenant);
    if (query.target !== undefined) q = q.where('target', '=', query.target);
    if (query.ruleId !== undefined) q = q.where('rule_id', '=', query.ruleId);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.since !== undefined) q = q.where('at', '>=', query.since);
    if (query.until !== undefined) q = q.where('at', '<', query.until);
    if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
    // oldest first when paging forward, newest first otherwise
    const rows = await q
      .orderBy('id', query.afterId !== undefined ? 'asc' : 'desc')
      .limit(clampLimit(query.limit, 1000))
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actor: r.actor,
      action: r.action as AuditAction,
      tenant: r.tenant,
      ...(r.target !== null ? { target: r.target } : {}),
      ...(r.rule_id !== null ? { ruleId: r.rule_id } : {}),
      ...(r.attack_id !== null ? { attackId: r.attack_id } : {}),
      ...(r.adapter !== null ? { adapter: r.adapter } : {}),
      dryRun: r.dry_run === 1,
      reason: r.reason,
      ...(r.payload !== null ? { payload: JSON.parse(r.payload) as unknown } : {}),
    }));
  }

  /** Walks the whole log in id order inside one snapshot and checks every link (audit-chain.ts). */
  async verify(): Promise<AuditVerification> {
    const run = async (trx: Kysely<Database>): Promise<AuditVerification> => {
      const head = await trx
        .selectFrom('audit_head')
        .select(['last_id', 'last_hash'])
        .where('id', '=', 1)
        .executeTakeFirst();
      const v = new ChainVerifier({
        last_id: head?.last_id == null ? null : Number(head.last_id),
        last_hash: head?.last_hash ?? null,
      });
      for await (const row of walk(trx)) v.push(row);
      const locate = new Map<string, number>();
      for (const b of v.brokenLinks) {
        const hit = await trx
          .selectFrom('audit')
          .select('id')
          .where('hash', '=', b.prevHash)
          .executeTakeFirst();
        if (hit) locate.set(b.prevHash, Number(hit.id));
      }
      v.resolveLinks(locate);
      if (!head)
        v.problems.push({ id: null, kind: 'truncated', message: 'the audit head record is missing' });
      return v.finish();
    };
    // SQLite: no transaction, so appends (synchronous, atomic) go on during a long walk
    return this.dialect === 'postgres'
      ? this.db.transaction().setIsolationLevel('repeatable read').execute(run)
      : run(this.db);
  }
}

/**
 * Appends one chained audit record inside the caller's transaction (the cluster's fencing check writes its
 * refusal in the same transaction as the check: src/cluster/fence.ts).
 */
export async function appendAuditIn(
  trx: Kysely<Database>,
  dialect: Dialect,
  record: AuditRecord,
): Promise<number> {
  const values = chainRow(record);
  let q = trx.selectFrom('audit_head').select(['last_id', 'last_hash']).where('id', '=', 1);
  if (dialect === 'postgres') q = q.forUpdate();
  const head = await q.executeTakeFirst();
  const prev = head?.last_hash ?? (await legacyTail(trx));
  const hash = linkHash(values, prev);
  const row = await trx
    .insertInto('audit')
    .values({ ...values, prev_hash: prev, hash })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  if (head) {
    await trx.updateTable('audit_head').set({ last_id: id, last_hash: hash }).where('id', '=', 1).execute();
  } else {
    await trx.insertInto('audit_head').values({ id: 1, last_id: id, last_hash: hash }).execute();
  }
  return id;
}

export function chainRow(record: AuditRecord): ChainRow {
  return {
    at: record.at,
    actor: record.actor,
    action: record.action,
    tenant: record.tenant,
    target: record.target ?? null,
    rule_id: record.ruleId ?? null,
    attack_id: record.attackId ?? null,
    adapter: record.adapter ?? null,
    dry_run: record.dryRun ? 1 : 0,
    reason: record.reason,
    payload: record.payload === undefined ? null : JSON.stringify(record.payload),
  };
}

const PAGE = 5000;

async function* walk(trx: Kysely<Database>): AsyncGenerator<StoredRow> {
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await trx
      .selectFrom('audit')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id', 'asc')
      .limit(PAGE)
      .execute();
    for (const r of rows) yield { ...r, id: Number(r.id) };
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}

/** Link of the newest record when no head exists yet (empty log, or records older than the chain). */
async function legacyTail(trx: Kysely<Database>): Promise<string> {
  let prev = GENESIS;
  for await (const row of walk(trx)) prev = row.hash ?? linkHash(row, prev);
  return prev;
}

export class KyselyStateRepository implements StateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('state').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async put(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('state')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
