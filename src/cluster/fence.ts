// Fencing of every announce and withdraw (issue 16): in one PostgreSQL transaction the leader row is read
// FOR KEY SHARE (an election, which takes FOR UPDATE, waits for it), the caller's token compared with the
// current one, and the outcome written — the fence log row for a call that went out, a chained audit record
// plus the fence row for a refused one. A deposed engine therefore never reaches a router, and its attempt
// is in the audit. The router itself knows no tokens, so the residual window is the moment between the
// check and the adapter's write on its socket; the lease check (LeaderView.live) makes a paused process
// refuse on resume before it asks the database at all.
import { type Kysely, sql } from 'kysely';
import type { Adapter, AdapterResult } from '../domain/adapter-port.js';
import type { Rule } from '../domain/rule.js';
import { appendAuditIn } from '../store/repositories.js';
import type { Database } from '../store/schema.js';
import type { LeaderView } from './leadership.js';

export type FencedOp = 'announce' | 'withdraw';

export interface FenceStats {
  sent: number;
  refused: number;
  lost: number;
}

export interface FenceLog {
  error(obj: object, msg: string): void;
}

export class Fence {
  readonly stats: FenceStats = { sent: 0, refused: 0, lost: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly leader: LeaderView,
    private readonly log: FenceLog,
    private readonly now: () => number = Date.now,
    /** Autocommit writes (the write-ahead intent) on a pool apart from `db`'s: a transaction waiting for a
     * connection of its own pool while holding one could exhaust it. */
    private readonly wal: Kysely<Database> = db,
  ) {}

  /** Runs `send` only while this process holds the current token; records the outcome in the same transaction. */
  async call(
    op: FencedOp,
    rule: Rule,
    adapter: string,
    send: () => Promise<AdapterResult>,
  ): Promise<AdapterResult> {
    let outcome: AdapterResult | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(op, rule, adapter, send, (r) => (outcome = r));
      } catch (e) {
        // a session ended while this process was paused fails the first query: a fresh one answers
        if (outcome === undefined && attempt < 3) continue;
        if (outcome === undefined) throw e;
        // sent, but the transaction did not commit: our sessions were ended by a standby taking over
        this.stats.lost++;
        this.log.error(
          { op, ruleId: rule.id, adapter, err: (e as Error).message },
          'cluster: adapter call went out but its fence record was lost (this engine was deposed during the call)',
        );
        return outcome;
      }
    }
  }

  private attempt(
    op: FencedOp,
    rule: Rule,
    adapter: string,
    send: () => Promise<AdapterResult>,
    sent: (r: AdapterResult) => void,
  ): Promise<AdapterResult> {
    return this.db.transaction().execute(async (trx) => {
      const row = await sql<{ token: string }>`
          SELECT token FROM fg_cluster_leader WHERE id = 1 FOR KEY SHARE`.execute(trx);
      const current = Number(row.rows[0]?.token ?? 0);
      const mine = this.leader.token();
      const live = this.leader.live();
      const at = this.now();
      if (mine !== current || !live) {
        const why =
          mine === undefined
            ? `this engine is not the leader (current token ${current})`
            : mine !== current
              ? `deposed leader: token ${mine} < current ${current}`
              : `lease expired (token ${mine} not renewed within the lease)`;
        await appendAuditIn(trx, 'postgres', {
          at,
          actor: `cluster:${this.leader.holder}`,
          action: 'reject',
          tenant: rule.tenant,
          target: rule.target,
          ruleId: rule.id,
          adapter,
          dryRun: false,
          reason: `fenced: ${op} refused — ${why}`,
          payload: { fenced: true, op, token: mine ?? null, currentToken: current, live },
        });
        await this.fenceRow(trx, at, mine ?? -1, current, op, rule.id, adapter, 'refused');
        this.stats.refused++;
        return { ok: false, retryable: false, error: `fenced: ${why}`, payload: { fenced: true, op } };
      }
      // write-ahead, committed on its own before anything leaves: if this process dies between the send
      // and its commit, the next leader finds the intent and audits it (recoverIntents)
      const intent = await this.intentRow(at, mine, op, rule, adapter);
      const outcome = await send();
      sent(outcome);
      await sql`UPDATE fg_cluster_fence SET outcome = ${outcome.ok ? 'sent' : 'failed'} WHERE id = ${intent}`.execute(
        trx,
      );
      this.stats.sent++;
      return outcome;
    });
  }

  private async intentRow(
    at: number,
    token: number,
    op: FencedOp,
    rule: Rule,
    adapter: string,
  ): Promise<number> {
    const r = await sql<{ id: string }>`
      INSERT INTO fg_cluster_fence (at, token, current_token, holder, op, rule_id, adapter, outcome, rule)
      VALUES (${at}, ${token}, ${token}, ${this.leader.holder}, ${op}, ${rule.id}, ${adapter}, 'intent',
        ${JSON.stringify(rule)}) RETURNING id`.execute(this.wal);
    return Number(r.rows[0]!.id);
  }

  private async fenceRow(
    trx: Kysely<Database>,
    at: number,
    token: number,
    current: number,
    op: FencedOp,
    ruleId: string,
    adapter: string,
    outcome: 'sent' | 'failed' | 'refused',
  ): Promise<void> {
    await sql`INSERT INTO fg_cluster_fence (at, token, current_token, holder, op, rule_id, adapter, outcome)
      VALUES (${at}, ${token}, ${current}, ${this.leader.holder}, ${op}, ${ruleId}, ${adapter}, ${outcome})`.execute(
      trx,
    );
  }
}

/** An adapter whose announce and withdraw go through the fence; everything else passes through. */
export function fencedAdapter(inner: Adapter, fence: Fence): Adapter {
  return {
    name: inner.name,
    kind: inner.kind,
    capabilities: inner.capabilities,
    announce: (rule) => fence.call('announce', rule, inner.name, () => inner.announce(rule)),
    withdraw: (rule) => fence.call('withdraw', rule, inner.name, () => inner.withdraw(rule)),
    list: () => inner.list(),
    test: () => inner.test(),
    health: () => inner.health(),
    close: () => inner.close(),
  };
}

/**
 * Called by a new leader before it acts: every call a previous leader started (intent written) but never
 * settled — it died or was cut off between the send and its commit — is written to the audit chain as what
 * it is, a call that may have reached the router, so that nothing sent is missing from the audit.
 */
export async function recoverIntents(
  db: Kysely<Database>,
  token: number,
  holder: string,
  now: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await sql<{
      id: string;
      at: string;
      token: string;
      holder: string;
      op: FencedOp;
      rule_id: string;
      adapter: string;
      rule: string | null;
    }>`SELECT id, at, token, holder, op, rule_id, adapter, rule FROM fg_cluster_fence
       WHERE outcome = 'intent' AND token < ${token} ORDER BY id FOR UPDATE`.execute(trx);
    for (const r of rows.rows) {
      const rule = r.rule ? (JSON.parse(r.rule) as Partial<Rule>) : {};
      await appendAuditIn(trx, 'postgres', {
        at: now,
        actor: `cluster:${holder}`,
        action: r.op,
        tenant: rule.tenant ?? '-',
        ...(rule.target !== undefined ? { target: rule.target } : {}),
        ruleId: r.rule_id,
        ...(rule.attackId !== undefined ? { attackId: rule.attackId } : {}),
        adapter: r.adapter,
        dryRun: false,
        reason: `recovered from the fence log: engine ${r.holder} (token ${r.token}) sent this ${r.op} at ${new Date(Number(r.at)).toISOString()} and stopped before recording its outcome; it may have reached the router`,
        payload: { recovered: true, token: Number(r.token), holder: r.holder, rule },
      });
      await sql`UPDATE fg_cluster_fence SET outcome = 'recovered' WHERE id = ${r.id}`.execute(trx);
    }
    return rows.rows.length;
  });
}
