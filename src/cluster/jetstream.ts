// The NATS JetStream side of the cluster: connection, the two streams (flows sharded by destination,
// attack events), and a durable pull consumer loop. Both streams use work-queue retention: a message is
// kept until one consumer acknowledges it, and JetStream refuses two consumers with overlapping filters —
// which is exactly "each shard counted by exactly one detector" at the stream level.
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JsMsg,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
  connect,
  nanos,
} from 'nats';
import type { ClusterConfig } from './config.js';

export interface Link {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
}

export function flowSubject(c: ClusterConfig, shard: number): string {
  return `${c.nats.subjectPrefix}.flows.${shard}`;
}

export function eventSubject(c: ClusterConfig, node: string): string {
  // subject tokens cannot hold dots or spaces: node names are free text
  return `${c.nats.subjectPrefix}.events.${node.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export async function openLink(c: ClusterConfig, name: string): Promise<Link> {
  const nc = await connect({
    servers: [...c.nats.servers],
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  const jsm = await nc.jetstreamManager();
  const streams: [string, string][] = [
    [c.nats.flowStream, `${c.nats.subjectPrefix}.flows.*`],
    [c.nats.eventStream, `${c.nats.subjectPrefix}.events.*`],
  ];
  for (const [stream, subject] of streams) {
    const config = {
      name: stream,
      subjects: [subject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_age: nanos(c.nats.maxAgeSeconds * 1000),
      duplicate_window: nanos(60_000),
    };
    try {
      await jsm.streams.add(config);
    } catch (e) {
      // another process created it first (same config), or it exists from an earlier run
      await jsm.streams.info(stream).catch(() => {
        throw e;
      });
    }
  }
  return { nc, js: nc.jetstream() };
}

/** Ensures the durable and returns a running consume loop that hands each message to `onMessage`. */
export async function consumeDurable(
  link: Link,
  stream: string,
  durable: string,
  filter: string,
  ackWaitMs: number,
  onMessage: (m: JsMsg) => void,
): Promise<{ stop(): Promise<void> }> {
  const jsm = await link.nc.jetstreamManager();
  try {
    await jsm.consumers.info(stream, durable);
  } catch {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: 1000,
    });
  }
  const consumer = await link.js.consumers.get(stream, durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 256 });
  const loop = (async () => {
    for await (const m of messages) onMessage(m);
  })();
  return {
    async stop() {
      await messages.close().catch(() => undefined);
      await loop.catch(() => undefined);
    },
  };
}
