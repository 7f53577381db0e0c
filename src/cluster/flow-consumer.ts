// Detector role: one durable pull consumer per owned shard (<prefix>.flows.<shard>), decoding each message
// into a reused batch and handing it to the detector with node names mapped to this process's stable
// exporter table. A message is acknowledged once counted; a malformed one is terminated (never redelivered)
// and counted by its error. start and stop may be called again while an earlier call is still pending (the
// lease rounds abandon a call that hangs): the last word wins, so a start that finishes after its shard was
// given up closes its loop at once, and stop resolves only once no loop of the shard is left.
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

/** Opens the consume loop of one shard (JetStream; a fake in tests). */
export type OpenLoop = (shard: number, onMessage: (m: JsMsg) => void) => Promise<{ stop(): Promise<void> }>;

export class FlowConsumer {
  readonly stats: ConsumerStats = { messages: 0, records: 0, redelivered: 0, decodeErrors: {}, shards: [] };
  private readonly loops = new Map<number, { stop(): Promise<void> }>();
  /** Shards the caller last asked to consume (start) and not to stop since. */
  private readonly wanted = new Set<number>();
  private readonly starting = new Map<number, Promise<void>>();
  private readonly stopping = new Map<number, Promise<void>>();
  private readonly open: OpenLoop;
  private readonly batch = new FlowBatch(SHARD_BATCH_RECORDS);
  /** Node names by this process's exporter index (stable: the detector keys per-node counters by it). */
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    private readonly link: Link,
    private readonly c: ClusterConfig,
    private readonly ingest: Ingest,
    private readonly ackWaitMs: number,
    open?: OpenLoop,
  ) {
    this.open =
      open ??
      ((shard, onMessage) =>
        consumeDurable(
          this.link,
          this.c.nats.flowStream,
          `${this.c.nats.subjectPrefix.replace(/\./g, '_')}-shard-${shard}`,
          flowSubject(this.c, shard),
          this.ackWaitMs,
          onMessage,
        ));
  }

  start(shard: number): Promise<void> {
    this.wanted.add(shard);
    if (this.loops.has(shard)) return Promise.resolve();
    let p = this.starting.get(shard);
    if (!p) {
      p = this.opened(shard).finally(() => this.starting.delete(shard));
      this.starting.set(shard, p);
    }
    return p;
  }

  private async opened(shard: number): Promise<void> {
    await this.stopping.get(shard)?.catch(() => undefined); // the shard's previous loop is closed first
    const loop = await this.open(shard, (m) => this.onMessage(m));
    if (!this.wanted.has(shard)) {
      await loop.stop(); // given up while it was opening
      return;
    }
    this.loops.set(shard, loop);
    this.stats.shards = [...this.loops.keys()].sort((a, b) => a - b);
  }

  /** Resolves once the shard has no loop, including one still opening. */
  async stop(shard: number): Promise<void> {
    this.wanted.delete(shard);
    const loop = this.loops.get(shard);
    if (loop) {
      this.loops.delete(shard);
      this.stats.shards = [...this.loops.keys()].sort((a, b) => a - b);
      const p = loop.stop().finally(() => {
        if (this.stopping.get(shard) === p) this.stopping.delete(shard);
      });
      this.stopping.set(shard, p);
    }
    await Promise.all([this.starting.get(shard)?.catch(() => undefined), this.stopping.get(shard)]);
  }

  async stopAll(): Promise<void> {
    for (const s of new Set([...this.loops.keys(), ...this.starting.keys()])) await this.stop(s);
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
