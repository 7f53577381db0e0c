// Kafka sink behind a small producer port (kafkajs is unmaintained: the port keeps it replaceable).
// Operational events go to `topic` keyed by target (or subject) so one target's events stay ordered in
// one partition; optionally, once per second, the busiest targets' rates go to `aggregatesTopic`.
// kafkajs' own retries are off: the bounded queue retries, so a dead broker never blocks the caller.
import type { KafkaSinkConfig } from './config.js';
import { eventDocument, type ExportEvent } from './event.js';
import { ExportQueue, type Delivery, type QueueHooks, type QueueStats } from './queue.js';
import { SecretError, secretOrThrow } from './secret.js';
import type { EventSink } from './sink.js';

export interface KafkaMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  /** ms since epoch, as text (the Kafka record timestamp). */
  readonly timestamp: string;
}

/** What the sink needs from a Kafka client. */
export interface KafkaProducerPort {
  connect(): Promise<void>;
  /** Resolves once the brokers acknowledged (acks=all); rejects with `retriable` set when worth retrying. */
  send(topic: string, messages: readonly Omit<KafkaMessage, 'topic'>[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TargetRate {
  readonly target: string;
  readonly pps: number;
  readonly bps: number;
}

/** The kafkajs implementation of the port (loaded lazily: nothing is imported unless Kafka is configured). */
export async function kafkajsProducer(cfg: KafkaSinkConfig): Promise<KafkaProducerPort> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: cfg.clientId,
    brokers: [...cfg.brokers],
    ssl: cfg.ssl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: Math.min(cfg.queue.timeoutMs, 10_000),
    requestTimeout: cfg.queue.timeoutMs,
    ...(cfg.sasl
      ? {
          sasl: {
            mechanism: cfg.sasl.mechanism,
            username: cfg.sasl.username,
            password: secretOrThrow(cfg.sasl.password, `exports.kafka ${cfg.name} sasl.password`),
          } as never,
        }
      : {}),
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  return {
    connect: () => producer.connect(),
    send: async (topic, messages) => {
      await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m })) });
    },
    disconnect: () => producer.disconnect(),
  };
}

export function kafkaEventMessage(topic: string, e: ExportEvent): KafkaMessage {
  return {
    topic,
    key: e.target ?? e.adapter ?? e.peer ?? e.exporter ?? e.category,
    value: JSON.stringify(eventDocument(e)),
    timestamp: String(e.at),
  };
}

export class KafkaSink implements EventSink {
  readonly kind = 'kafka';
  readonly name: string;
  private readonly queue: ExportQueue<KafkaMessage>;
  private producer: KafkaProducerPort | undefined;
  private connected = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cfg: KafkaSinkConfig,
    private readonly makeProducer: () => Promise<KafkaProducerPort> = () => kafkajsProducer(cfg),
    /** The busiest targets now (detector top talkers); used when aggregatesTopic is set. */
    private readonly rates?: (n: number) => readonly TargetRate[],
    hooks: QueueHooks = {},
  ) {
    this.name = cfg.name;
    this.queue = new ExportQueue<KafkaMessage>(cfg.queue, (b) => this.deliver(b), hooks);
    if (cfg.aggregatesTopic && rates) {
      this.timer = setInterval(() => this.aggregate(Date.now()), 1000);
      this.timer.unref();
    }
  }

  accepts(e: ExportEvent): boolean {
    return this.cfg.events.includes(e.category);
  }

  push(e: ExportEvent): void {
    this.queue.push(kafkaEventMessage(this.cfg.topic, e));
  }

  /** One aggregate message per busy target for this second (public so tests drive the clock). */
  aggregate(now: number): void {
    if (!this.cfg.aggregatesTopic || !this.rates) return;
    const second = Math.floor(now / 1000) * 1000;
    for (const r of this.rates(this.cfg.topTargets)) {
      this.queue.push({
        topic: this.cfg.aggregatesTopic,
        key: r.target,
        value: JSON.stringify({
          '@timestamp': new Date(second).toISOString(),
          target: r.target,
          pps: Math.round(r.pps),
          bps: Math.round(r.bps),
        }),
        timestamp: String(second),
      });
    }
  }

  stats(): QueueStats {
    return this.queue.stats();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async deliver(batch: readonly KafkaMessage[]): Promise<Delivery<KafkaMessage>> {
    try {
      if (!this.producer) this.producer = await this.makeProducer();
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      const byTopic = new Map<string, Omit<KafkaMessage, 'topic'>[]>();
      for (const { topic, ...m } of batch) {
        const list = byTopic.get(topic) ?? [];
        list.push(m);
        byTopic.set(topic, list);
      }
      const failed: KafkaMessage[] = [];
      let error = '';
      let fatal = false;
      for (const [topic, messages] of byTopic) {
        try {
          await this.producer.send(topic, messages);
        } catch (err) {
          const e = err as { message?: string; retriable?: boolean };
          error = `kafka ${topic}: ${e.message ?? String(err)}`;
          if (e.retriable === false) fatal = true;
          failed.push(...batch.filter((m) => m.topic === topic));
        }
      }
      if (failed.length === 0) return { kind: 'ok' };
      if (failed.length === batch.length) return fatal ? { kind: 'fail', error } : { kind: 'retry', error };
      return fatal
        ? { kind: 'partial', retry: [], dead: failed, error }
        : { kind: 'partial', retry: failed, dead: [], error };
    } catch (err) {
      this.connected = false;
      if (err instanceof SecretError) {
        this.producer = undefined;
        return { kind: 'fail', error: err.message };
      }
      return { kind: 'retry', error: `kafka connect: ${(err as Error).message}` };
    }
  }

  async close(graceMs = 2000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue.close(graceMs);
    if (this.producer && this.connected) await this.producer.disconnect().catch(() => undefined);
    this.connected = false;
  }
}
