// One active engine: election in PostgreSQL. A session-level advisory lock held on a dedicated connection
// says who leads; a fencing token (fg_cluster_leader.token, bumped in the election transaction) says since
// when. The leader renews the row every pollMs; a standby that sees no renewal for leaseMs (database clock)
// ends every session of the stale leader (pg_terminate_backend by application_name), which frees the lock
// and any row lock a paused leader still holds, then elects itself with the next token.
// Ordering with the fence (fence.ts): a fenced announce holds FOR KEY SHARE on the leader row for its whole
// transaction, an election takes FOR UPDATE — so no announce checked under token t commits after t+1 exists.
import pg from 'pg';
import { advisoryKey } from '../store/locks.js';
import { ensureClusterSchema } from './pg-schema.js';

export type LeadershipState = 'standby' | 'leader' | 'deposed' | 'stopped';

export interface LeadershipLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LeadershipOptions {
  /** PostgreSQL URL carrying this process's application_name (pg-schema.ts withApplicationName). */
  readonly url: string;
  /** This process's application_name: what a standby terminates when this leader goes stale. */
  readonly session: string;
  /** Node name, for the leader row and the audit. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly pollMs: number;
  /** Called once, when this process becomes leader with `token`. */
  readonly onElected: (token: number) => Promise<void>;
  /** Called once, when this process learns it no longer leads (it must stop acting). */
  readonly onDeposed: (reason: string) => void;
  readonly log: LeadershipLog;
  /** Monotonic ms (default performance.now): keeps running while the process is stopped (SIGSTOP). */
  readonly monotonic?: () => number;
}

/** What the fence needs to know: the token this process was elected with and whether its lease holds. */
export interface LeaderView {
  readonly holder: string;
  /** The token this process was elected with, undefined before its first election. */
  token(): number | undefined;
  /** true while leader and the last successful renewal began less than leaseMs ago. */
  live(): boolean;
}

export const LEADER_LOCK = 'floodgate:cluster:leader';

/** A leader row not renewed for longer than this (ms, database clock) may be taken over. */
export function staleAfter(leaseMs: number, pollMs: number): number {
  return leaseMs + pollMs;
}

export class Leadership implements LeaderView {
  private client: pg.Client | undefined;
  private state_: LeadershipState = 'standby';
  private token_: number | undefined;
  private renewedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly mono: () => number;
  private readonly key = advisoryKey(LEADER_LOCK).toString();
  private electedTask: Promise<void> = Promise.resolve();
  elections = 0;
  takeovers = 0;

  constructor(private readonly o: LeadershipOptions) {
    this.mono = o.monotonic ?? (() => performance.now());
  }

  get holder(): string {
    return this.o.holder;
  }

  get state(): LeadershipState {
    return this.state_;
  }

  /** The token this process was elected with (kept once deposed: the fence names it when refusing). */
  token(): number | undefined {
    return this.token_;
  }

  live(): boolean {
    return this.state_ === 'leader' && this.mono() - this.renewedAt < this.o.leaseMs;
  }

  async start(): Promise<void> {
    this.client = await this.connect();
    await ensureClusterSchema(this.client);
    await this.round();
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.round());
    }, this.o.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.electedTask;
    const wasLeader = this.state_ === 'leader';
    this.state_ = 'stopped';
    // closing the session releases the advisory lock: a standby takes over at its next poll
    if (wasLeader)
      await this.client?.query('SELECT pg_advisory_unlock($1::bigint)', [this.key]).catch(() => 0);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.o.url });
    // a terminated or dropped session is reported here; the next query fails and the round handles it
    c.on('error', (err) => this.o.log.warn({ err: err.message }, 'cluster: leadership session error'));
    await c.connect();
    return c;
  }

  private async round(): Promise<void> {
    if (this.state_ === 'leader') return this.renew();
    if (this.state_ === 'standby') return this.tryElect();
  }

  private async renew(): Promise<void> {
    const began = this.mono();
    try {
      const r = await this.client!.query(
        'UPDATE fg_cluster_leader SET renewed_at = now() WHERE id = 1 AND token = $1 AND holder_app = $2',
        [this.token_, this.o.session],
      );
      if (r.rowCount === 1) this.renewedAt = began;
      else this.depose(`token ${this.token_} is no longer current: another engine was elected`);
    } catch (e) {
      // the lock lives in this session: without the session there is no leadership to keep
      this.depose(`leadership session lost: ${(e as Error).message}`);
    }
  }

  private depose(reason: string): void {
    if (this.state_ !== 'leader') return;
    this.state_ = 'deposed';
    this.o.log.error({ token: this.token_, reason }, 'cluster: this engine is no longer the leader');
    this.o.onDeposed(reason);
  }

  private async tryElect(): Promise<void> {
    const c = this.client!;
    try {
      const got = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.key]);
      if (!got.rows[0]?.ok) {
        await this.deposeStale(c);
        return;
      }
      const began = this.mono();
      await c.query('BEGIN');
      try {
        // waits for every fenced call of the previous leader to finish (they hold FOR KEY SHARE)
        await c.query(`SET LOCAL lock_timeout = ${Math.max(100, Math.floor(this.o.leaseMs))}`);
        const prev = await c.query<{ token: string; holder_app: string | null }>(
          'SELECT token, holder_app FROM fg_cluster_leader WHERE id = 1 FOR UPDATE',
        );
        const r = await c.query<{ token: string }>(
          `UPDATE fg_cluster_leader SET token = token + 1, holder = $1, holder_app = $2, renewed_at = now()
           WHERE id = 1 RETURNING token`,
          [this.o.holder, this.o.session],
        );
        await c.query('COMMIT');
        this.token_ = Number(r.rows[0]!.token);
        this.renewedAt = began;
        this.state_ = 'leader';
        this.elections++;
        this.o.log.info(
          { token: this.token_, previous: prev.rows[0]?.holder_app ?? null },
          'cluster: elected leader',
        );
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        // a paused previous leader still holds a row lock in an open transaction: end its sessions
        this.o.log.warn({ err: (e as Error).message }, 'cluster: election blocked; ending stale sessions');
        await this.terminateHolder(c, true);
        return;
      }
      // not awaited: restoring and reconciling may take longer than a lease, and renewals must go on
      const token = this.token_;
      this.electedTask = this.o
        .onElected(token)
        .catch((e: unknown) =>
          this.o.log.error({ token, err: String(e) }, 'cluster: the elected engine failed to start'),
        );
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'cluster: election round failed');
      if (c !== this.client || (e as { code?: string }).code === '57P01') return;
      // reconnect on a dropped session (a standby must survive a PostgreSQL restart)
      await c.end().catch(() => undefined);
      this.client = await this.connect().catch(() => c);
    }
  }

  /** The lock is held elsewhere: when its holder stopped renewing, end its sessions (frees the lock). */
  private async deposeStale(c: pg.Client): Promise<void> {
    const r = await c.query<{ holder_app: string | null; age: number | null }>(
      `SELECT holder_app, (EXTRACT(EPOCH FROM (now() - renewed_at)) * 1000)::float8 AS age
       FROM fg_cluster_leader WHERE id = 1`,
    );
    const row = r.rows[0];
    if (!row?.holder_app || row.age === null || row.age <= staleAfter(this.o.leaseMs, this.o.pollMs)) return;
    this.o.log.warn(
      { holder: row.holder_app, silentMs: Math.round(row.age) },
      'cluster: leader stopped renewing; ending its sessions to take over',
    );
    await this.terminateHolder(c, false);
  }

  private async terminateHolder(c: pg.Client, onlyIfStale: boolean): Promise<void> {
    const r = await c.query<{ n: string }>(
      `SELECT count(pg_terminate_backend(a.pid))::text AS n
       FROM pg_stat_activity a, fg_cluster_leader l
       WHERE l.id = 1 AND a.application_name = l.holder_app AND l.holder_app <> $1
         AND ($2::boolean = false OR now() - l.renewed_at > make_interval(secs => $3::float8 / 1000))`,
      [this.o.session, onlyIfStale, staleAfter(this.o.leaseMs, this.o.pollMs)],
    );
    const n = Number(r.rows[0]?.n ?? 0);
    if (n > 0) this.takeovers++;
    if (n > 0) this.o.log.warn({ sessions: n }, 'cluster: ended the stale leader’s sessions');
  }
}
