// Collector role: every decoded batch is split by destination shard into pre-aggregating accumulators
// (accumulate.ts) and each shard is published to <prefix>.flows.<shard> when its batch fills or flushMs
// after its first record. Publishes are acknowledged by JetStream; at most maxInFlight are outstanding, and a
// batch that finds no room, or whose publish fails, is dropped and counted — the gap is reported, not hidden.
import type { FlowBatch } from '../flow/batch.js';
import type { ExporterState } from '../flow/exporter.js';
import { ShardAccumulator } from '../flow/accumulate.js';
import { encodeRecords } from './codec.js';
import type { ClusterConfig } from './config.js';
import { type Link, flowSubject } from './jetstream.js';
import { shardOf } from './shard.js';

/** Records per shard message: 2048 × 96 bytes ≈ 196 KB, under NATS's default 1 MB max_payload. */
export const SHARD_BATCH_RECORDS = 2048;

export interface PublisherStats {
  recordsIn: number;
  recordsOut: number;
  messages: number;
  bytes: number;
  droppedRecords: number;
  droppedMessages: number;
  publishErrors: number;
  inFlight: number;
}

export interface PublisherLog {
  warn(obj: object, msg: string): void;
}

export class FlowPublisher {
  readonly stats: PublisherStats = {
    recordsIn: 0,
    recordsOut: 0,
    messages: 0,
    bytes: 0,
    droppedRecords: 0,
    droppedMessages: 0,
    publishErrors: 0,
    inFlight: 0,
  };
  private readonly acc: ShardAccumulator[];
  private timer: NodeJS.Timeout | undefined;
  private readonly settled = new Set<Promise<void>>();
  private lastWarn = 0;

  constructor(
    private readonly link: Link,
    private readonly c: ClusterConfig,
    private readonly log: PublisherLog,
    private readonly now: () => number = Date.now,
  ) {
    this.acc = Array.from({ length: c.nats.shards }, () => new ShardAccumulator(SHARD_BATCH_RECORDS));
  }

  start(): void {
    this.timer = setInterval(() => this.flushDue(), Math.max(10, Math.floor(this.c.nats.flushMs / 2)));
    this.timer.unref?.();
  }

  /** The collector's onBatch: exporter slots name the node each record is counted under. */
  push(batch: FlowBatch, exporters: readonly ExporterState[]): void {
    const { shards, shardPrefixLength4: p4, shardPrefixLength6: p6 } = this.c.nats;
    const now = this.now();
    for (let i = 0; i < batch.length; i++) {
      const s = shardOf(batch.family[i] as number, batch.dstAddr, i * 4, p4, p6, shards);
      const acc = this.acc[s] as ShardAccumulator;
      const node = exporters[batch.exporter[i] as number]?.node ?? 'unknown';
      acc.add(batch, i, node, now);
      this.stats.recordsIn++;
      if (acc.full) this.flush(s);
    }
  }

  private flushDue(): void {
    const now = this.now();
    for (let s = 0; s < this.acc.length; s++) {
      const acc = this.acc[s] as ShardAccumulator;
      if (acc.length > 0 && now - acc.firstAt >= this.c.nats.flushMs) this.flush(s);
    }
  }

  private flush(s: number): void {
    const acc = this.acc[s] as ShardAccumulator;
    const n = acc.length;
    if (n === 0) return;
    if (this.stats.inFlight >= this.c.nats.maxInFlight) {
      this.drop(n, 'JetStream acknowledgements are behind (cluster.nats.maxInFlight)');
      acc.reset();
      return;
    }
    const bytes = encodeRecords(acc.batch, n, acc.nodeOf, acc.names);
    acc.reset();
    this.stats.inFlight++;
    const p = this.link.js
      .publish(flowSubject(this.c, s), bytes)
      .then(
        () => {
          this.stats.messages++;
          this.stats.recordsOut += n;
          this.stats.bytes += bytes.length;
        },
        (err: unknown) => {
          this.stats.publishErrors++;
          this.drop(n, `publish failed: ${String(err)}`);
        },
      )
      .finally(() => {
        this.stats.inFlight--;
        this.settled.delete(p);
      });
    this.settled.add(p);
  }

  private drop(records: number, why: string): void {
    this.stats.droppedRecords += records;
    this.stats.droppedMessages++;
    const now = this.now();
    if (now - this.lastWarn > 10_000) {
      this.lastWarn = now;
      this.log.warn(
        { droppedRecords: this.stats.droppedRecords, why },
        'cluster: flow records dropped on the way to the detectors',
      );
    }
  }

  /** Flushes what is accumulated and waits for the outstanding acknowledgements. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let s = 0; s < this.acc.length; s++) this.flush(s);
    await Promise.allSettled([...this.settled]);
  }
}
