// Shard leases against a real PostgreSQL (127.0.111.0/24): the scale-out stall — a detector that claimed
// every shard alone never gave a newcomer any, because plain rendezvous gave it all 8 for these two session
// names — and the lease epoch that keeps a release which lands late from freeing a later claim. The rounds
// are driven by hand (no timers): each call is one detector's round, in the order the test names.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClusterSchema } from '../../src/cluster/pg-schema.js';
import { rebalanceRound, type RoundConsumers, type Step, untimed } from '../../src/cluster/lease-rounds.js';
import { ShardLeases } from '../../src/cluster/shard-leases.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';

const HOST = '127.0.111.10';
const SHARDS = 8;
// long enough that no lease or membership runs out on its own on a loaded machine: the test ages rows itself
const LEASE_MS = 600_000;
// session names (fg:<node>:<pid>:<start>) for which plain rendezvous gave detector-1 all 8 shards
const A = 'fg:detector-1:4497:m4k2x0';
const B = 'fg:detector-2:4498:m4k2x1';

/** The consumers of one detector, as far as a round sees them. */
function consumers(): RoundConsumers {
  const running = new Set<number>();
  const c = {
    stats: { shards: [] as number[] },
    start(s: number) {
      running.add(s);
      c.stats.shards = [...running].sort((x, y) => x - y);
      return Promise.resolve();
    },
    stop(s: number) {
      running.delete(s);
      c.stats.shards = [...running].sort((x, y) => x - y);
      return Promise.resolve();
    },
  };
  return c;
}

describe('shard leases on PostgreSQL', () => {
  let server: PostgresServer;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await startPostgres(HOST, 55611);
    pool = new pg.Pool({ connectionString: server.url, max: 4 });
    pool.on('error', () => undefined); // idle sessions end with the server at teardown
    const client = await pool.connect();
    try {
      await ensureClusterSchema(client);
    } finally {
      client.release();
    }
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  }, 30_000);

  const reset = () => pool.query('TRUNCATE fg_shard_lease, fg_cluster_member');
  const owners = async () =>
    (
      await pool.query<{ shard: number; owner: string | null }>(
        'SELECT shard, owner FROM fg_shard_lease ORDER BY shard',
      )
    ).rows;

  it('a detector that holds every shard gives a newcomer its fair share, and the newcomer claims it', async () => {
    await reset();
    const a = new ShardLeases(pool, A, SHARDS, LEASE_MS);
    const b = new ShardLeases(pool, B, SHARDS, LEASE_MS);
    const ca = consumers();
    const cb = consumers();
    await a.init();
    expect(await rebalanceRound(a, ca, untimed)).toMatchObject({ claimed: [0, 1, 2, 3, 4, 5, 6, 7] });
    expect(ca.stats.shards).toHaveLength(SHARDS);

    await b.init();
    // B registers; A's leases are live, so B claims nothing yet
    expect(await rebalanceRound(b, cb, untimed)).toMatchObject({ claimed: [], released: [] });
    // A sees B and stops and releases what is B's share
    const gave = await rebalanceRound(a, ca, untimed);
    expect(gave.released).toHaveLength(SHARDS / 2);
    expect(ca.stats.shards).toHaveLength(SHARDS / 2);
    // B claims exactly what A released
    const took = await rebalanceRound(b, cb, untimed);
    expect([...took.claimed].sort()).toEqual([...gave.released].sort());
    expect(cb.stats.shards).toEqual([...took.claimed].sort((x, y) => x - y));

    const table = await owners();
    expect(table.filter((r) => r.owner === A).map((r) => r.shard)).toEqual(ca.stats.shards);
    expect(table.filter((r) => r.owner === B).map((r) => r.shard)).toEqual(cb.stats.shards);
    // steady: further rounds change nothing
    expect(await rebalanceRound(a, ca, untimed)).toEqual({
      claimed: [],
      released: [],
      started: [],
      stopped: [],
    });
    expect(await rebalanceRound(b, cb, untimed)).toEqual({
      claimed: [],
      released: [],
      started: [],
      stopped: [],
    });
    expect(stats(a)).toMatchObject({ members: 2, claims: 8, releases: 4, takeovers: 0 });
    expect(stats(b)).toMatchObject({ members: 2, claims: 4, releases: 0, takeovers: 0 });
  });

  it('a release that lands after the shard was claimed again (a new epoch) frees nothing', async () => {
    await reset();
    const a = new ShardLeases(pool, A, SHARDS, LEASE_MS);
    const b = new ShardLeases(pool, B, SHARDS, LEASE_MS);
    await a.init();
    await a.round();
    expect(a.owned.has(0)).toBe(true);

    // A's round releases shard 0, but the query is held back (a round abandoned while it waited for a connection)
    let send: () => void = () => undefined;
    const held: Step = {
      run: (_name, _shard, fn) =>
        new Promise((resolve, reject) => {
          send = () => void fn().then(resolve, reject);
        }),
    };
    const late = a.release([0], held);
    // meanwhile A stalled past its lease; B took everything over, then left; A came back and claimed again
    await pool.query(`UPDATE fg_cluster_member SET renewed_at = now() - interval '2 hours' WHERE id = $1;`, [
      A,
    ]);
    await pool.query(`UPDATE fg_shard_lease SET renewed_at = now() - interval '2 hours' WHERE owner = $1`, [
      A,
    ]);
    await b.round();
    expect(b.owned.size).toBe(SHARDS);
    expect(b.stats.takeovers).toBe(SHARDS);
    await b.leave();
    await a.round();
    expect(a.owned.has(0)).toBe(true);

    send(); // the old release arrives now
    await late;
    expect((await owners()).find((r) => r.shard === 0)?.owner).toBe(A);
    // and a release of the current claim does free it
    await a.release([0]);
    expect((await owners()).find((r) => r.shard === 0)?.owner).toBe(null);
  });
});

function stats(l: ShardLeases): Record<string, number> {
  return { ...l.stats };
}
