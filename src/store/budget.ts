// Cluster-wide deployment budget (issue 10 item 6): the sliding rate window (deployments per tenant per
// window) and the active-rule cap, counted in the shared store. One charge is one transaction that first
// takes the tenant's advisory lock (same key space as LockManager.withLock, src/store/locks.ts), then
// counts, then records the deployment and writes the pending rule — so two processes can never both see
// room for the last slot. Transaction-scoped (pg_advisory_xact_lock): it holds one pooled connection and
// needs no other, so it nests safely inside a per-target withLock.
import { type Kysely, type Transaction, sql } from 'kysely';
import { advisoryKey } from './locks.js';
import { KyselyRuleRepository } from './repositories.js';
import type { Database } from './schema.js';
import type { BudgetAnswer, BudgetCharge, BudgetRepository } from '../domain/store-port.js';

/** Takes the named lock for the rest of the transaction. */
export type TransactionLock = (trx: Transaction<Database>, key: string) => Promise<void>;

/** PostgreSQL: an advisory lock released at commit or rollback. */
export const postgresTransactionLock: TransactionLock = async (trx, key) => {
  await sql`SELECT pg_advisory_xact_lock(${advisoryKey(key).toString()}::bigint)`.execute(trx);
};

/** States that hold a place under the cap: on the routers, on their way, or being retried. */
const ACTIVE_STATES = ['pending', 'announced', 'failed'] as const;

/** How long a charge refused by the cap waits before asking again (another process may end a rule). */
export const CAP_POLL_MS = 2000;

export function budgetLockKey(tenant: string): string {
  return `budget:${tenant}`;
}

export class KyselyBudgetRepository implements BudgetRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly lock: TransactionLock,
  ) {}

  charge(c: BudgetCharge): Promise<BudgetAnswer> {
    return this.db.transaction().execute(async (trx) => {
      await this.lock(trx, budgetLockKey(c.tenant));
      const since = c.at - c.windowMs;
      // Rows that left the window can never count again (every process uses the same window).
      await trx
        .deleteFrom('deployments')
        .where('tenant', '=', c.tenant)
        .where('at', '<=', since - c.windowMs)
        .execute();
      const recent = await trx
        .selectFrom('deployments')
        .select('at')
        .where('tenant', '=', c.tenant)
        .where('at', '>', since)
        .orderBy('at', 'desc')
        .limit(c.limit)
        .execute();
      let q = trx
        .selectFrom('rules')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('tenant', '=', c.tenant)
        .where('state', 'in', [...ACTIVE_STATES])
        .where('id', '!=', c.ruleId);
      if (c.replaces !== undefined) q = q.where('id', '!=', c.replaces);
      const active = Number((await q.executeTakeFirstOrThrow()).n);
      const deployments = recent.length;
      if (deployments >= c.limit) {
        const oldest = Number((recent[c.limit - 1] as { at: number }).at);
        return { ok: false, reason: 'rate', retryAt: oldest + c.windowMs, deployments, active };
      }
      if (c.adds && active >= c.cap) {
        return { ok: false, reason: 'cap', retryAt: c.at + CAP_POLL_MS, deployments, active };
      }
      await trx.insertInto('deployments').values({ tenant: c.tenant, at: c.at, rule_id: c.ruleId }).execute();
      if (c.rule !== undefined) await new KyselyRuleRepository(trx).upsert(c.rule);
      return { ok: true, deployments: deployments + 1, active: active + (c.adds ? 1 : 0) };
    });
  }
}
