// One process's part in the cluster, built from the `cluster` section: the NATS link, the collector's
// publisher, the detector's shard leases and consumers, the engine's election, fence and event consumer.
// The app asks it three things — where flows go, where attack events go, and whether its engine may act —
// and gives it three hooks: start the runner (on election), take an event (engine), count a batch (detector).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Adapter } from '../domain/adapter-port.js';
import type { AttackEvent } from '../domain/attack.js';
import type { FlowBatch } from '../flow/batch.js';
import type { ExporterState } from '../flow/exporter.js';
import type { Database } from '../store/schema.js';
import { type ClusterConfig, leadershipWanted, usesNats } from './config.js';
import { consumeEvents, type EventStats, newEventStats, publishEvent } from './events.js';
import { Fence, fencedAdapter, recoverIntents } from './fence.js';
import { FlowConsumer, type Ingest } from './flow-consumer.js';
import { FlowPublisher } from './flow-publisher.js';
import { type Link, openLink } from './jetstream.js';
import { LeaseRounds, rebalanceRound } from './lease-rounds.js';
import { Leadership } from './leadership.js';
import { ensureClusterSchema, sessionName, withApplicationName } from './pg-schema.js';
import { ShardLeases } from './shard-leases.js';

export interface ClusterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ClusterHooks {
  /** Restores and reconciles the engine (MitigationRunner.start): runs once, when elected. */
  readonly startRunner: () => Promise<void>;
  /** An attack event for this process's engine (role engine: from the detectors over NATS). */
  readonly onEvent: (e: AttackEvent) => void;
  /** A flow batch for this process's detector (role detector: from the collectors over NATS). */
  readonly ingest: Ingest;
  /** This engine lost leadership: stop acting (the fence already refuses everything it sends). */
  readonly onDeposed: (reason: string) => void;
}

const FLOW_ACK_WAIT_MS = 10_000;

export class ClusterNode {
  readonly session: string;
  private link: Link | undefined;
  private pool: pg.Pool | undefined;
  private db: Kysely<Database> | undefined;
  private wal: Kysely<Database> | undefined;
  private fence: Fence | undefined;
  readonly leadership: Leadership | undefined;
  private publisher: FlowPublisher | undefined;
  private consumer: FlowConsumer | undefined;
  private leases: ShardLeases | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private rounds: LeaseRounds | undefined;
  private events: { stop(): Promise<void> } | undefined;
  private readonly eventStats: EventStats = newEventStats();
  private readonly url: string | undefined;
  private stopped = false;

  constructor(
    readonly c: ClusterConfig,
    private readonly node: string,
    postgresUrl: string | undefined,
    private readonly log: ClusterLog,
    private readonly hooks: ClusterHooks,
  ) {
    this.session = sessionName(node, process.pid, Date.now());
    this.url = postgresUrl !== undefined ? withApplicationName(postgresUrl, this.session) : undefined;
    if (leadershipWanted(c)) {
      if (this.url === undefined) throw new Error('cluster leadership needs store.postgresUrl');
      this.leadership = new Leadership({
        url: this.url,
        session: this.session,
        holder: node,
        leaseMs: c.leadership.leaseMs,
        pollMs: c.leadership.pollMs,
        log,
        onElected: (token) => this.elected(token),
        onDeposed: (reason) => hooks.onDeposed(reason),
      });
    }
  }

  /** The store URL with this process's session name, so a standby can end a stale leader's sessions. */
  storeUrl(url: string | undefined): string | undefined {
    return this.leadership && url !== undefined ? withApplicationName(url, this.session) : url;
  }

  private pgPool(): pg.Pool {
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionString: this.url, max: 4 });
      this.pool.on('error', (err) => this.log.warn({ err: err.message }, 'cluster: idle session dropped'));
    }
    return this.pool;
  }

  /** Adapters whose announce and withdraw pass the fence (when an engine is elected). */
  wrapAdapters(adapters: readonly Adapter[]): Adapter[] {
    if (!this.leadership) return [...adapters];
    this.db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.pgPool() }) });
    const walPool = new pg.Pool({ connectionString: this.url, max: 2 });
    walPool.on('error', (err) => this.log.warn({ err: err.message }, 'cluster: idle session dropped'));
    this.wal = new Kysely<Database>({ dialect: new PostgresDialect({ pool: walPool }) });
    this.fence = new Fence(this.db, this.leadership, this.log, Date.now, this.wal);
    const fence = this.fence;
    return adapters.map((a) => fencedAdapter(a, fence));
  }

  get role(): ClusterConfig['role'] {
    return this.c.role;
  }

  /** Flow listeners run for roles all and collector. */
  get collects(): boolean {
    return this.c.role === 'all' || this.c.role === 'collector';
  }

  /** Where a decoded batch goes: the NATS publisher for a collector, else this process's detector. */
  get flowSink(): ((batch: FlowBatch, exporters: readonly ExporterState[]) => void) | undefined {
    const p = this.publisher;
    return p ? (b, e) => p.push(b, e) : undefined;
  }

  /** Where this process's detector sends events: NATS for a detector, else the local engine. */
  get eventSink(): ((e: AttackEvent) => void) | undefined {
    const link = this.link;
    if (this.c.role !== 'detector' || !link) return undefined;
    return (e) => void publishEvent(link, this.c, e, this.eventStats);
  }

  /** May this process's engine act on events (always, unless it is an elected engine that is not leading). */
  get acting(): boolean {
    return !this.leadership || this.leadership.state === 'leader';
  }

  async start(): Promise<void> {
    if (usesNats(this.c)) {
      this.link = await openLink(this.c, `floodgate:${this.node}:${this.c.role}`);
      this.log.info({ servers: this.c.nats.servers, role: this.c.role }, 'cluster: NATS JetStream connected');
    }
    if (this.c.role === 'collector') {
      this.publisher = new FlowPublisher(this.link!, this.c, this.log);
      this.publisher.start();
    }
    if (this.c.role === 'detector') await this.startDetector();
    if (this.leadership) {
      await this.leadership.start();
      this.log.info(
        { state: this.leadership.state, token: this.leadership.token() ?? null },
        this.leadership.state === 'leader' ? 'cluster: this engine leads' : 'cluster: standing by',
      );
    }
  }

  private async startDetector(): Promise<void> {
    if (this.url === undefined)
      throw new Error('cluster.role detector needs store.postgresUrl (shard leases)');
    const pool = this.pgPool();
    const client = await pool.connect();
    try {
      await ensureClusterSchema(client);
    } finally {
      client.release();
    }
    this.consumer = new FlowConsumer(this.link!, this.c, this.hooks.ingest, FLOW_ACK_WAIT_MS);
    const leases = new ShardLeases(pool, this.session, this.c.nats.shards, this.c.detectorLeaseMs);
    const consumer = this.consumer;
    this.leases = leases;
    await leases.init();
    // Rounds every leaseMs/3, each abandoned after leaseMs/2: the round after a hung one renews the leases
    // at most 2/3 leaseMs after the hung one did, before they run out and another detector takes them.
    this.rounds = new LeaseRounds(
      async (step) => {
        if (this.stopped) return;
        const r = await rebalanceRound(leases, consumer, step);
        if (r.claimed.length || r.released.length || r.started.length || r.stopped.length)
          this.log.info({ ...r, shards: consumer.stats.shards }, 'cluster: detector shards rebalanced');
      },
      Math.floor(this.c.detectorLeaseMs / 2),
      this.log,
    );
    await this.rounds.tick();
    this.leaseTimer = setInterval(
      () => void this.rounds?.tick(),
      Math.max(100, Math.floor(this.c.detectorLeaseMs / 3)),
    );
  }

  private async elected(token: number): Promise<void> {
    this.log.info({ token }, 'cluster: elected; restoring and reconciling the engine');
    if (this.db) {
      const n = await recoverIntents(this.db, token, this.node, Date.now()).catch((e: unknown) => {
        this.log.error(
          { err: String(e) },
          'cluster: could not recover the previous leader’s unsettled calls',
        );
        return 0;
      });
      if (n > 0)
        this.log.warn({ calls: n }, 'cluster: audited calls the previous leader sent but never recorded');
    }
    await this.hooks.startRunner();
    if (this.c.role === 'engine' && this.link)
      this.events = await consumeEvents(this.link, this.c, this.eventStats, this.hooks.onEvent);
  }

  stats(): Record<string, unknown> {
    return {
      role: this.c.role,
      session: this.session,
      ...(this.leadership
        ? {
            leadership: {
              state: this.leadership.state,
              token: this.leadership.token() ?? null,
              elections: this.leadership.elections,
              takeovers: this.leadership.takeovers,
            },
          }
        : {}),
      ...(this.fence ? { fence: { ...this.fence.stats } } : {}),
      ...(this.publisher ? { publisher: { ...this.publisher.stats } } : {}),
      ...(this.consumer ? { consumer: { ...this.consumer.stats } } : {}),
      ...(this.leases
        ? {
            leases: {
              ...this.leases.stats,
              ...this.rounds?.stats,
              owned: [...this.leases.owned].sort((a, b) => a - b),
            },
          }
        : {}),
      ...(this.link ? { events: { ...this.eventStats } } : {}),
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.rounds?.idle();
    await this.events?.stop();
    await this.publisher?.stop();
    await this.consumer?.stopAll();
    await this.leases?.leave().catch(() => undefined);
    await this.leadership?.stop();
    await this.wal?.destroy().catch(() => undefined);
    if (this.db) await this.db.destroy().catch(() => undefined);
    else await this.pool?.end().catch(() => undefined);
    await this.link?.nc.drain().catch(() => undefined);
  }
}
