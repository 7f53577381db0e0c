// Detector role: which shards this detector counts. Detectors register in fg_cluster_member and renew every
// leaseMs/3; the live ones (renewed within leaseMs, database clock) split the shards by rendezvous hashing
// (shard.ts). A shard changes hands through its lease row: the old owner stops consuming and releases it
// (or its lease runs out when it died), then the new owner claims it — never two owners at once in the
// table. The time a shard spent without a live owner is added to gapMs, the bound on what a handover costs.
// Every query goes through the round's Step (lease-rounds.ts), so a hung one is named and abandoned; what
// this detector owns is re-read from the table each round, so a round abandoned half way leaves no mark.
import type pg from 'pg';
import { type Step, untimed } from './lease-rounds.js';
import { shardsOf } from './shard.js';

export interface LeaseChange {
  readonly claim: readonly number[];
  readonly release: readonly number[];
}

export interface LeaseStats {
  rounds: number;
  claims: number;
  releases: number;
  /** Shards claimed after their previous owner's lease ran out (it died or stalled). */
  takeovers: number;
  /** Summed time, ms, that claimed shards had been without a live owner (upper bound per shard). */
  gapMs: number;
  /** The longest such gap of one shard, ms: what a detector's death cost in counting. */
  maxGapMs: number;
  members: number;
}

export class ShardLeases {
  readonly owned = new Set<number>();
  /** The lease epoch of each owned shard: a release names it, so a late one cannot free a later claim. */
  private readonly epochs = new Map<number, string>();
  readonly stats: LeaseStats = {
    rounds: 0,
    claims: 0,
    releases: 0,
    takeovers: 0,
    gapMs: 0,
    maxGapMs: 0,
    members: 0,
  };

  constructor(
    private readonly pool: pg.Pool,
    private readonly me: string,
    private readonly shards: number,
    private readonly leaseMs: number,
  ) {}

  async init(): Promise<void> {
    await this.pool.query(
      `INSERT INTO fg_shard_lease (shard) SELECT generate_series(0, $1::int - 1) ON CONFLICT (shard) DO NOTHING`,
      [this.shards],
    );
  }

  /**
   * One round: renew membership and leases, compute the desired shards, and return what to start and stop.
   * The caller stops consumers of `release` and then calls release(); its consumers follow `owned`.
   */
  async round(step: Step = untimed): Promise<LeaseChange> {
    this.stats.rounds++;
    const p = this.pool;
    await step.run('renew membership', undefined, () =>
      p.query(
        `INSERT INTO fg_cluster_member (id, role, renewed_at) VALUES ($1, 'detector', now())
         ON CONFLICT (id) DO UPDATE SET renewed_at = now(), role = 'detector'`,
        [this.me],
      ),
    );
    const kept = await step.run('renew leases', undefined, () =>
      p.query<{ shard: number; epoch: string }>(
        'UPDATE fg_shard_lease SET renewed_at = now() WHERE owner = $1 RETURNING shard, epoch',
        [this.me],
      ),
    );
    const stillMine = new Set(kept.rows.map((r) => r.shard));
    const lost = [...this.owned].filter((s) => !stillMine.has(s));
    const live = await step.run('read members', undefined, () =>
      p.query<{ id: string }>(
        `SELECT id FROM fg_cluster_member
         WHERE role = 'detector' AND renewed_at > now() - make_interval(secs => $1::float8 / 1000)`,
        [this.leaseMs],
      ),
    );
    const members = live.rows.map((r) => r.id);
    if (!members.includes(this.me)) members.push(this.me);
    this.stats.members = members.length;
    const desired = new Set(shardsOf(this.me, members, this.shards));
    const claim: number[] = [];
    const claimed = new Map<number, string>();
    for (const s of desired) {
      if (stillMine.has(s)) continue;
      const r = await step.run('claim lease', s, () =>
        p.query<{ gap: number | null; prev: string | null; epoch: string }>(
          `WITH old AS (SELECT owner, renewed_at FROM fg_shard_lease WHERE shard = $1 FOR UPDATE)
           UPDATE fg_shard_lease l SET owner = $2, renewed_at = now(), epoch = l.epoch + 1
           FROM old
           WHERE l.shard = $1 AND (old.owner IS NULL OR old.owner = $2
             OR old.renewed_at < now() - make_interval(secs => $3::float8 / 1000))
           RETURNING old.owner AS prev, l.epoch,
             CASE WHEN old.owner IS NOT NULL AND old.owner <> $2
               THEN (EXTRACT(EPOCH FROM (now() - old.renewed_at)) * 1000)::float8 END AS gap`,
          [s, this.me, this.leaseMs],
        ),
      );
      const row = r.rows[0];
      if (row === undefined) continue; // still held by a live owner: it releases it at its next round
      claim.push(s);
      claimed.set(s, row.epoch);
      this.stats.claims++;
      if (row.gap !== null) {
        this.stats.takeovers++;
        // upper bound: from the previous owner's last renewal to our claim
        this.stats.gapMs += Math.max(0, row.gap);
        this.stats.maxGapMs = Math.max(this.stats.maxGapMs, row.gap);
      }
    }
    // a lost shard claimed again (its new owner's lease ran out too) is simply kept
    const release = [...stillMine].filter((s) => !desired.has(s)).concat(lost.filter((s) => !claimed.has(s)));
    // what the table says this detector holds now (renewed or claimed): not what earlier rounds believed
    this.owned.clear();
    this.epochs.clear();
    for (const r of kept.rows) this.epochs.set(r.shard, String(r.epoch));
    for (const [s, epoch] of claimed) this.epochs.set(s, epoch);
    for (const s of this.epochs.keys()) this.owned.add(s);
    return { claim, release };
  }

  /** Gives up shards whose consumers the caller has stopped. */
  async release(shards: readonly number[], step: Step = untimed): Promise<void> {
    for (const s of shards) {
      const epoch = this.epochs.get(s);
      this.owned.delete(s);
      this.epochs.delete(s);
      if (epoch === undefined) continue; // lost already: another detector holds it now
      this.stats.releases++;
      await step.run('release lease', s, () =>
        this.pool.query(
          'UPDATE fg_shard_lease SET owner = NULL WHERE shard = $1 AND owner = $2 AND epoch = $3',
          [s, this.me, epoch],
        ),
      );
    }
  }

  /** Leaves the cluster: the other detectors take the shards at their next round. */
  async leave(): Promise<void> {
    await this.release([...this.owned]);
    await this.pool.query('DELETE FROM fg_cluster_member WHERE id = $1', [this.me]);
  }
}
