// Operational events: one in-process stream that exports, notifications, metrics and the dashboard
// subscribe to. The app publishes; subscribers must not throw or block (queue internally, drop by
// policy). A subscriber that throws is logged by the bus's owner and never stops the others.
import type { AttackEvent } from './attack.js';
import type { AuditRecord } from './audit.js';

export type OpsEvent =
  /** Detection: attack start / update / end, as the engine receives it. */
  | { readonly type: 'attack'; readonly at: number; readonly event: AttackEvent }
  /** Every audit record (announce, withdraw, escalate, rollback, alert, reject, ...) once stored. */
  | { readonly type: 'audit'; readonly at: number; readonly record: AuditRecord }
  /** A mitigation adapter's health changed. */
  | {
      readonly type: 'adapter';
      readonly at: number;
      readonly adapter: string;
      readonly state: 'up' | 'down';
      readonly detail?: string;
    }
  /** A BGP session of the native speaker went to or left Established. */
  | {
      readonly type: 'bgp-session';
      readonly at: number;
      readonly peer: string;
      readonly state: 'up' | 'down';
      readonly detail?: string;
    }
  /** A flow exporter stopped sending (no datagram for the configured time) or came back. */
  | {
      readonly type: 'exporter';
      readonly at: number;
      readonly exporter: string;
      readonly state: 'silent' | 'back';
      readonly silentForMs?: number;
    }
  /** RPKI data went stale (older than its expire) or fresh again. */
  | {
      readonly type: 'rpki';
      readonly at: number;
      readonly state: 'stale' | 'fresh';
      readonly detail?: string;
    };

export type OpsEventType = OpsEvent['type'];
export type OpsEventListener = (event: OpsEvent) => void;

/** A synchronous fan-out with isolated subscribers. */
export class EventBus {
  private readonly listeners = new Set<OpsEventListener>();

  constructor(private readonly onListenerError: (err: unknown, event: OpsEvent) => void = () => {}) {}

  /** Returns the unsubscribe function. */
  subscribe(listener: OpsEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: OpsEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
