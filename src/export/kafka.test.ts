// Kafka sink contract with a fake producer (no broker here): topics, keys, values, acks, retries, aggregates.
import { describe, expect, it } from 'vitest';
import { attack } from '../../test/export/fixtures.js';
import { kafkaSinkSchema } from './config.js';
import { toExportEvent } from './event.js';
import { KafkaSink, kafkajsProducer, type KafkaMessage, type KafkaProducerPort } from './kafka.js';

class FakeProducer implements KafkaProducerPort {
  sent: KafkaMessage[] = [];
  connects = 0;
  failures: { retriable: boolean; message: string }[] = [];
  async connect() {
    this.connects++;
  }
  async send(topic: string, messages: readonly Omit<KafkaMessage, 'topic'>[]) {
    const f = this.failures.shift();
    if (f) throw Object.assign(new Error(f.message), { retriable: f.retriable });
    this.sent.push(...messages.map((m) => ({ topic, ...m })));
  }
  async disconnect() {}
}

const fast = { flushMs: 0, backoffMs: 5, maxBackoffMs: 50, maxAttempts: 3 };

describe('KafkaSink', () => {
  it('sends events keyed by target to the topic, JSON values with the record timestamp', async () => {
    const p = new FakeProducer();
    const sink = new KafkaSink(
      kafkaSinkSchema.parse({ brokers: ['127.15.0.30:9092'], queue: fast }),
      async () => p,
    );
    sink.push(toExportEvent({ type: 'attack', at: attack.at, event: attack }, 'fg')!);
    sink.push(toExportEvent({ type: 'bgp-session', at: 7, peer: 'r1', state: 'down' }, 'fg')!);
    await sink.idle();
    expect(p.sent.map((m) => [m.topic, m.key, m.timestamp])).toEqual([
      ['floodgate.events', '203.0.113.5/32', String(attack.at)],
      ['floodgate.events', 'r1', '7'],
    ]);
    expect(JSON.parse(p.sent[0]!.value)).toMatchObject({ category: 'attack', family: 'dns_amplification' });
    expect(p.connects).toBe(1);
    await sink.close();
  });

  it('retries a retriable broker error, dead-letters a non-retriable one', async () => {
    const p = new FakeProducer();
    p.failures.push({ retriable: true, message: 'leader not available' });
    const sink = new KafkaSink(kafkaSinkSchema.parse({ brokers: ['b:9092'], queue: fast }), async () => p);
    sink.push(toExportEvent({ type: 'adapter', at: 1, adapter: 'a', state: 'up' }, 'fg')!);
    await sink.idle();
    expect(sink.stats()).toMatchObject({ sent: 1, retries: 1 });
    p.failures.push({ retriable: false, message: 'topic authorization failed' });
    sink.push(toExportEvent({ type: 'adapter', at: 2, adapter: 'a', state: 'down' }, 'fg')!);
    await sink.idle();
    expect(sink.stats()).toMatchObject({ sent: 1, deadLettered: 1 });
    expect(sink.stats().lastError).toMatch(/authorization failed/);
  });

  it('per-second aggregates of the busiest targets go to their own topic', async () => {
    const p = new FakeProducer();
    const sink = new KafkaSink(
      kafkaSinkSchema.parse({
        brokers: ['b:9092'],
        aggregatesTopic: 'floodgate.rates',
        topTargets: 2,
        queue: fast,
      }),
      async () => p,
      (n) =>
        [
          { target: '203.0.113.5/32', pps: 1000.4, bps: 8e6 },
          { target: '203.0.113.6/32', pps: 10, bps: 8e4 },
        ].slice(0, n),
    );
    sink.aggregate(Date.UTC(2026, 0, 1, 0, 0, 1, 700));
    await sink.idle();
    expect(p.sent.map((m) => [m.topic, m.key, m.timestamp])).toEqual([
      ['floodgate.rates', '203.0.113.5/32', String(Date.UTC(2026, 0, 1, 0, 0, 1))],
      ['floodgate.rates', '203.0.113.6/32', String(Date.UTC(2026, 0, 1, 0, 0, 1))],
    ]);
    expect(JSON.parse(p.sent[0]!.value)).toEqual({
      '@timestamp': '2026-01-01T00:00:01.000Z',
      target: '203.0.113.5/32',
      pps: 1000,
      bps: 8000000,
    });
    await sink.close();
  });

  it('the kafkajs producer with no broker fails, is counted and dead-lettered (connection refused)', async () => {
    const cfg = kafkaSinkSchema.parse({
      brokers: ['127.15.0.30:1'],
      queue: { ...fast, timeoutMs: 2000, maxAttempts: 1 },
    });
    const sink = new KafkaSink(cfg, () => kafkajsProducer(cfg));
    sink.push(toExportEvent({ type: 'adapter', at: 1, adapter: 'a', state: 'up' }, 'fg')!);
    await sink.idle();
    expect(sink.stats()).toMatchObject({ sent: 0, deadLettered: 1 });
    expect(sink.stats().lastError).toMatch(/kafka/i);
    await sink.close(100);
  });
});
