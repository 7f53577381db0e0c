// Attack events between detectors and the engine: a detector publishes each event to
// <prefix>.events.<node> (JetStream de-duplicates by attack, kind, node and time); the elected engine
// consumes the one durable "engine" and feeds its runner, which aggregates across nodes as it does in one
// process. Unacknowledged events of an engine that died are redelivered to the next leader.
import type { JsMsg } from 'nats';
import type { AttackEvent } from '../domain/attack.js';
import type { ClusterConfig } from './config.js';
import { type Link, consumeDurable, eventSubject } from './jetstream.js';

export interface EventStats {
  published: number;
  publishErrors: number;
  received: number;
  redelivered: number;
  invalid: number;
}

export function newEventStats(): EventStats {
  return { published: 0, publishErrors: 0, received: 0, redelivered: 0, invalid: 0 };
}

export async function publishEvent(
  link: Link,
  c: ClusterConfig,
  e: AttackEvent,
  stats: EventStats,
): Promise<void> {
  try {
    await link.js.publish(eventSubject(c, e.node), JSON.stringify(e), {
      msgID: `${e.attackId}|${e.kind}|${e.node}|${e.at}`,
    });
    stats.published++;
  } catch {
    stats.publishErrors++;
  }
}

/** A received event, checked for the fields the engine keys on (input from the network is hostile). */
export function parseEvent(data: Uint8Array): AttackEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const strings = ['attackId', 'kind', 'target', 'direction', 'family', 'node', 'hostGroup', 'reason'];
  const numbers = ['at', 'startedAt', 'pps', 'bps', 'peakPps', 'peakBps', 'severity'];
  if (!strings.every((k) => typeof o[k] === 'string')) return undefined;
  if (!numbers.every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]))) return undefined;
  if (!['start', 'update', 'end'].includes(o.kind as string)) return undefined;
  if (typeof o.signature !== 'object' || o.signature === null) return undefined;
  return o as unknown as AttackEvent;
}

export async function consumeEvents(
  link: Link,
  c: ClusterConfig,
  stats: EventStats,
  onEvent: (e: AttackEvent) => void,
): Promise<{ stop(): Promise<void> }> {
  return consumeDurable(
    link,
    c.nats.eventStream,
    `${c.nats.subjectPrefix.replace(/\./g, '_')}-engine`,
    `${c.nats.subjectPrefix}.events.*`,
    10_000,
    (m: JsMsg) => {
      stats.received++;
      if (m.redelivered) stats.redelivered++;
      const e = parseEvent(m.data);
      if (e === undefined) {
        stats.invalid++;
        m.term();
        return;
      }
      onEvent(e);
      m.ack();
    },
  );
}
