// The port every event sink implements (a non-blocking push and counters for /metrics) and the base
// class of the sinks: a bounded ExportQueue in front of one `deliver(batch)`, filtered by category.
import type { ExportCategory, QueueConfig } from './config.js';
import type { ExportEvent } from './event.js';
import { ExportQueue, type Delivery, type QueueHooks, type QueueStats } from './queue.js';
import { SecretError } from './secret.js';

export interface EventSink {
  readonly name: string;
  /** syslog, splunk, elastic, sentinel, misp, kafka. */
  readonly kind: string;
  /** Whether this sink wants the event (its `events` categories). */
  accepts(e: ExportEvent): boolean;
  /** Returns at once whatever the endpoint does. */
  push(e: ExportEvent): void;
  stats(): QueueStats;
  /** Flushes within graceMs, then drops what is left (counted) and closes connections. */
  close(graceMs?: number): Promise<void>;
}

export abstract class QueuedSink implements EventSink {
  protected readonly queue: ExportQueue<ExportEvent>;

  constructor(
    readonly name: string,
    readonly kind: string,
    private readonly categories: readonly ExportCategory[] | undefined,
    queueConfig: QueueConfig,
    hooks: QueueHooks = {},
  ) {
    this.queue = new ExportQueue<ExportEvent>(
      queueConfig,
      (batch) =>
        this.deliver(batch).catch((err: unknown): Delivery<ExportEvent> => {
          // a missing env: secret is a configuration error: final, not retried
          if (err instanceof SecretError) return { kind: 'fail', error: err.message };
          throw err;
        }),
      hooks,
    );
  }

  protected abstract deliver(batch: readonly ExportEvent[]): Promise<Delivery<ExportEvent>>;

  /** Releases connections after the queue closed. */
  protected async shutdown(): Promise<void> {}

  accepts(e: ExportEvent): boolean {
    return this.categories === undefined || this.categories.includes(e.category);
  }

  push(e: ExportEvent): void {
    this.queue.push(e);
  }

  stats(): QueueStats {
    return this.queue.stats();
  }

  /** Resolves when the queue is empty (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async close(graceMs = 2000): Promise<void> {
    await this.queue.close(graceMs);
    await this.shutdown();
  }
}
