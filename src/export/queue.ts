// Bounded export queue: push() never waits and never throws (the detection and engine threads call it);
// one delivery at a time in batches; retries with exponential backoff and full jitter (429 Retry-After
// wins); a batch that keeps failing is dead-lettered; a full queue drops the oldest event. Every outcome
// is counted for /metrics, so a slow or dead endpoint costs memory up to `capacity`, never latency.
import type { QueueConfig } from './config.js';

export type Delivery<T> =
  | { readonly kind: 'ok' }
  /** Some items were accepted; `retry` go again, `dead` are refused for good. */
  | {
      readonly kind: 'partial';
      readonly retry: readonly T[];
      readonly dead: readonly T[];
      readonly error: string;
    }
  | { readonly kind: 'retry'; readonly error: string; readonly retryAfterMs?: number }
  /** Permanent refusal (bad credentials, malformed): the batch is dead-lettered at once. */
  | { readonly kind: 'fail'; readonly error: string };

export interface QueueStats {
  readonly queued: number;
  readonly inFlight: number;
  readonly sent: number;
  readonly dropped: number;
  readonly deadLettered: number;
  readonly retries: number;
  readonly failures: number;
  readonly batches: number;
  readonly lastError: string | null;
  readonly lastSuccessAt: number | null;
}

export interface QueueHooks {
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (t: unknown) => void;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Told once per dead-lettered batch (the owner logs it). */
  readonly onDeadLetter?: (count: number, error: string) => void;
}

const defaultSet = (fn: () => void, ms: number): unknown => {
  const t = setTimeout(fn, ms);
  t.unref();
  return t;
};
const defaultClear = (t: unknown): void => clearTimeout(t as NodeJS.Timeout);

export class ExportQueue<T> {
  private items: T[] = [];
  private head = 0;
  private current: { items: readonly T[]; attempt: number } | undefined;
  private timer: unknown;
  private timerIsBackoff = false;
  private timerDue = 0;
  private running = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;
  private readonly random: () => number;
  private readonly now: () => number;
  private s = { sent: 0, dropped: 0, deadLettered: 0, retries: 0, failures: 0, batches: 0 };
  private lastError: string | null = null;
  private lastSuccessAt: number | null = null;

  constructor(
    private readonly cfg: QueueConfig,
    private readonly deliver: (batch: readonly T[]) => Promise<Delivery<T>>,
    private readonly hooks: QueueHooks = {},
  ) {
    this.setTimer = hooks.setTimer ?? defaultSet;
    this.clearTimer = hooks.clearTimer ?? defaultClear;
    this.random = hooks.random ?? Math.random;
    this.now = hooks.now ?? Date.now;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** O(1), never blocks. Returns false when the queue was full and the oldest event was dropped. */
  push(item: T): boolean {
    if (this.closed) {
      this.s.dropped++;
      return false;
    }
    let kept = true;
    if (this.length >= this.cfg.capacity) {
      this.head++;
      this.s.dropped++;
      kept = false;
    }
    this.items.push(item);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.schedule(this.length >= this.cfg.batchSize ? 0 : this.cfg.flushMs);
    return kept;
  }

  stats(): QueueStats {
    return {
      queued: this.length,
      inFlight: this.current?.items.length ?? 0,
      ...this.s,
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  /** Resolves when nothing is queued or in flight (tests, graceful stop). */
  idle(): Promise<void> {
    if (this.length === 0 && !this.current && !this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Tries to deliver what is queued within graceMs, then drops (and counts) the rest. */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    this.schedule(0);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (t = setTimeout(r, graceMs)))]);
    clearTimeout(t);
    this.closed = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.s.dropped += this.length + (this.current?.items.length ?? 0);
    this.items = [];
    this.head = 0;
    this.current = undefined;
    this.wakeIdle();
  }

  private schedule(ms: number, backoff = false): void {
    if (this.closed || this.running) return;
    if (this.timer !== undefined) {
      // a retry backoff is never cut short; a flush wait is when a full batch is ready
      if (this.timerIsBackoff || ms >= this.timerDue - this.now()) return;
      this.clearTimer(this.timer);
    }
    this.timerIsBackoff = backoff;
    this.timerDue = this.now() + ms;
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      void this.run();
    }, ms);
  }

  private take(): readonly T[] {
    const n = Math.min(this.cfg.batchSize, this.length);
    const batch = this.items.slice(this.head, this.head + n);
    this.head += n;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return batch;
  }

  private async run(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      if (!this.current && this.length > 0) this.current = { items: this.take(), attempt: 1 };
      const cur = this.current;
      if (!cur) return;
      this.s.batches++;
      const out = await this.attempt(cur.items);
      if (this.closed) return;
      let retryIn: number | undefined;
      switch (out.kind) {
        case 'ok':
          this.s.sent += cur.items.length;
          this.lastSuccessAt = this.now();
          this.current = undefined;
          break;
        case 'fail':
          this.s.failures++;
          this.deadLetter(cur.items.length, out.error);
          this.current = undefined;
          break;
        case 'partial':
        case 'retry': {
          this.s.failures++;
          this.lastError = out.error;
          const retry = out.kind === 'partial' ? out.retry : cur.items;
          if (out.kind === 'partial') {
            this.s.sent += cur.items.length - out.retry.length - out.dead.length;
            if (out.dead.length) this.deadLetter(out.dead.length, out.error);
          }
          if (retry.length === 0) {
            this.current = undefined;
          } else if (cur.attempt >= this.cfg.maxAttempts) {
            this.deadLetter(retry.length, `${out.error} (after ${cur.attempt} attempts)`);
            this.current = undefined;
          } else {
            this.s.retries++;
            this.current = { items: retry, attempt: cur.attempt + 1 };
            const cap = Math.min(this.cfg.maxBackoffMs, this.cfg.backoffMs * 2 ** (cur.attempt - 1));
            const jitter = Math.max(1, Math.floor(this.random() * cap));
            retryIn =
              out.kind === 'retry' && out.retryAfterMs !== undefined
                ? Math.min(Math.max(out.retryAfterMs, 1), this.cfg.maxBackoffMs)
                : jitter;
          }
          break;
        }
      }
      this.running = false;
      if (retryIn !== undefined) this.schedule(retryIn, true);
      else if (this.length > 0) this.schedule(this.length >= this.cfg.batchSize ? 0 : this.cfg.flushMs);
    } finally {
      this.running = false;
      if (this.length === 0 && !this.current) this.wakeIdle();
    }
  }

  /** One delivery with the attempt deadline: a sink that never answers is a retryable timeout. */
  private async attempt(batch: readonly T[]): Promise<Delivery<T>> {
    let t: unknown;
    const deadline = new Promise<Delivery<T>>((r) => {
      t = this.setTimer(
        () => r({ kind: 'retry', error: `no answer within ${this.cfg.timeoutMs} ms` }),
        this.cfg.timeoutMs,
      );
    });
    try {
      return await Promise.race([
        this.deliver(batch).catch((err: unknown): Delivery<T> => ({
          kind: 'retry',
          error: err instanceof Error ? err.message : String(err),
        })),
        deadline,
      ]);
    } finally {
      this.clearTimer(t);
    }
  }

  private deadLetter(count: number, error: string): void {
    this.s.deadLettered += count;
    this.lastError = error;
    this.hooks.onDeadLetter?.(count, error);
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
