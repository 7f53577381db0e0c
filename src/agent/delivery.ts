// Delivery of agent reports to the controller: a bounded offline queue (oldest dropped first, counted) and
// a circuit breaker as an explicit state machine (closed → open after `failures` consecutive failures;
// open → half-open when its wait is over, one trial call; half-open → closed on success, or open again
// with the wait doubled up to `maxOpenMs`). Pure: the clock comes in with each call.

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerConfig {
  /** Consecutive failures that open the breaker. */
  readonly failures: number;
  /** First wait while open (ms). */
  readonly openMs: number;
  /** Longest wait while open (ms). */
  readonly maxOpenMs: number;
}

export interface Breaker {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** While open: when a trial call is allowed. */
  readonly openUntil: number;
  /** The wait of the current (or next) open period. */
  readonly waitMs: number;
  /** Times the breaker opened. */
  readonly opened: number;
}

export const closedBreaker = (cfg: BreakerConfig): Breaker => ({
  state: 'closed',
  consecutiveFailures: 0,
  openUntil: 0,
  waitMs: cfg.openMs,
  opened: 0,
});

/** Whether a call may go out now; an open breaker whose wait is over turns half-open (one trial). */
export function mayCall(b: Breaker, now: number): { allowed: boolean; breaker: Breaker } {
  if (b.state === 'closed') return { allowed: true, breaker: b };
  if (b.state === 'half-open') return { allowed: false, breaker: b }; // a trial is in flight
  if (now < b.openUntil) return { allowed: false, breaker: b };
  return { allowed: true, breaker: { ...b, state: 'half-open' } };
}

export function onSuccess(b: Breaker, cfg: BreakerConfig): Breaker {
  return { ...b, state: 'closed', consecutiveFailures: 0, openUntil: 0, waitMs: cfg.openMs };
}

export function onFailure(b: Breaker, cfg: BreakerConfig, now: number): Breaker {
  const failures = b.consecutiveFailures + 1;
  if (b.state === 'half-open') {
    const waitMs = Math.min(cfg.maxOpenMs, b.waitMs * 2);
    return {
      ...b,
      state: 'open',
      consecutiveFailures: failures,
      openUntil: now + waitMs,
      waitMs,
      opened: b.opened + 1,
    };
  }
  if (failures >= cfg.failures)
    return {
      ...b,
      state: 'open',
      consecutiveFailures: failures,
      openUntil: now + b.waitMs,
      opened: b.opened + 1,
    };
  return { ...b, consecutiveFailures: failures };
}

/** FIFO with a cap: pushing onto a full queue drops the oldest item (counted in `dropped`). */
export class BoundedQueue<T> {
  private items: T[] = [];
  dropped = 0;
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be ≥ 1`);
  }
  get length(): number {
    return this.items.length;
  }
  /** Appends; returns the items dropped to make room (oldest first). */
  push(item: T): T[] {
    this.items.push(item);
    const out: T[] = [];
    while (this.items.length > this.capacity) {
      out.push(this.items.shift()!);
      this.dropped++;
    }
    return out;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  shift(): T | undefined {
    return this.items.shift();
  }
}
