// One channel's outbox: its rate-limit bucket, its digest, and a queue that delivers its messages in
// order (a slow service delays only itself). A delivery that fails after the channel's own retries is
// handed to `onFailed` (the dead-letter list).
import type { ChannelConfig } from './config.js';
import { DigestBuffer } from './digest.js';
import type { Bucket } from './rate-limit.js';
import type { Channel, DeliveryResult, Message } from './types.js';

export interface OutboxStats {
  sent: number;
  failed: number;
  digested: number;
  digests: number;
  filtered: number;
}

export class Outbox {
  readonly digest = new DigestBuffer();
  readonly stats: OutboxStats = { sent: 0, failed: 0, digested: 0, digests: 0, filtered: 0 };
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly cfg: ChannelConfig,
    readonly channel: Channel,
    public bucket: Bucket,
    private readonly onFailed: (m: Message, r: Extract<DeliveryResult, { ok: false }>) => Promise<void>,
  ) {}

  send(m: Message): void {
    this.queue = this.queue.then(async () => {
      let result: DeliveryResult;
      try {
        result = await this.channel.deliver(m);
      } catch (err) {
        result = { ok: false, attempts: 0, error: (err as Error).message, retryable: false };
      }
      if (result.ok) {
        this.stats.sent++;
        return;
      }
      this.stats.failed++;
      await this.onFailed(m, result).catch(() => undefined);
    });
  }

  /** Sends what the digest holds as one message. */
  flush(now: number): void {
    const d = this.digest.take(now);
    if (!d) return;
    this.stats.digests++;
    this.send(d);
  }

  idle(): Promise<void> {
    return this.queue;
  }
}
