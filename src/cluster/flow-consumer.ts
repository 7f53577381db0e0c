// Detector role: one durable pull consumer per owned shard (<prefix>.flows.<shard>), decoding each message
// into a reused batch and handing it to the detector with node names mapped to this process's stable
// exporter table. A message is acknowledged once counted; a malformed one is terminated (never redelivered)
// and counted by its error.
import type { JsMsg } from 'nats';
import { FlowBatch } from '../flow/batch.js';
import { type DecodeError, decodeRecords } from './codec.js';
import type { ClusterConfig } from './config.js';
import { SHARD_BATCH_RECORDS } from './flow-publisher.js';
import { type Link, consumeDurable, flowSubject } from './jetstream.js';

export interface ConsumerStats {
  messages: number;
  records: number;
  redelivered: number;
  decodeErrors: Partial<Record<DecodeError, number>>;
  shards: number[];
}

export type Ingest = (batch: FlowBatch, names: readonly string[]) => void;

export class FlowConsumer {
  readonly stats: ConsumerStats = { messages: 0, records: 0, redelivered: 0, decodeErrors: {}, shards: [] };
  private readonly loops = new Map<number, { stop(): Promise<void> }>();
  private readonly batch = new FlowBatch(SHARD_BATCH_RECORDS);
  /** Node names by this process's exporter index (stable: the detector keys per-node counters by it). */
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    private readonly link: Link,
    private readonly c: ClusterConfig,
    private readonly ingest: Ingest,
    private readonly ackWaitMs: number,
  ) {}

  async start(shard: number): Promise<void> {
    if (this.loops.has(shard)) return;
    const loop = await consumeDurable(
      this.link,
      this.c.nats.flowStream,
      `${this.c.nats.subjectPrefix.replace(/\./g, '_')}-shard-${shard}`,
      flowSubject(this.c, shard),
      this.ackWaitMs,
      (m) => this.onMessage(m),
    );
    this.loops.set(shard, loop);
    this.stats.shards = [...this.loops.keys()].sort((a, b) => a - b);
  }

  async stop(shard: number): Promise<void> {
    const loop = this.loops.get(shard);
    if (!loop) return;
    this.loops.delete(shard);
    this.stats.shards = [...this.loops.keys()].sort((a, b) => a - b);
    await loop.stop();
  }

  async stopAll(): Promise<void> {
    for (const s of [...this.loops.keys()]) await this.stop(s);
  }

  private onMessage(m: JsMsg): void {
    this.stats.messages++;
    if (m.redelivered) this.stats.redelivered++;
    const d = decodeRecords(m.data, this.batch);
    if (!d.ok) {
      this.stats.decodeErrors[d.error] = (this.stats.decodeErrors[d.error] ?? 0) + 1;
      m.term();
      return;
    }
    const local = d.names.map((n) => {
      let i = this.index.get(n);
      if (i === undefined) {
        i = this.names.length;
        this.names.push(n);
        this.index.set(n, i);
      }
      return i;
    });
    const b = this.batch;
    for (let i = 0; i < b.length; i++) b.exporter[i] = local[b.exporter[i] as number] as number;
    this.stats.records += b.length;
    this.ingest(b, this.names);
    m.ack();
  }
}
