import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queueSchema } from './config.js';
import { ExportQueue, type Delivery } from './queue.js';

const cfg = (over: Partial<ReturnType<typeof queueSchema.parse>> = {}) =>
  queueSchema.parse({
    capacity: 10,
    batchSize: 3,
    flushMs: 50,
    maxAttempts: 3,
    backoffMs: 100,
    maxBackoffMs: 1000,
    timeoutMs: 500,
    ...over,
  });

describe('ExportQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends full batches at once and a partial batch after flushMs, in order', async () => {
    const got: number[][] = [];
    const q = new ExportQueue<number>(cfg(), async (b) => {
      got.push([...b]);
      return { kind: 'ok' };
    });
    for (let i = 1; i <= 4; i++) q.push(i);
    await vi.advanceTimersByTimeAsync(0);
    expect(got).toEqual([[1, 2, 3]]);
    await vi.advanceTimersByTimeAsync(49);
    expect(got).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(got).toEqual([[1, 2, 3], [4]]);
    expect(q.stats()).toMatchObject({ sent: 4, dropped: 0, deadLettered: 0, queued: 0, batches: 2 });
  });

  it('drops the oldest event when full and counts it; push never throws or waits', async () => {
    const q = new ExportQueue<number>(cfg({ capacity: 5, batchSize: 100, flushMs: 1000 }), async () => ({
      kind: 'ok',
    }));
    const kept = [1, 2, 3, 4, 5, 6, 7].map((i) => q.push(i));
    expect(kept).toEqual([true, true, true, true, true, false, false]);
    expect(q.stats()).toMatchObject({ queued: 5, dropped: 2 });
  });

  it('retries with exponential backoff, then dead-letters after maxAttempts', async () => {
    const calls: number[] = [];
    const dead: [number, string][] = [];
    const q = new ExportQueue<number>(
      cfg({ flushMs: 0 }),
      async () => {
        calls.push(Date.now());
        return { kind: 'retry', error: 'HTTP 503' };
      },
      { random: () => 0.999, onDeadLetter: (n, e) => dead.push([n, e]) },
    );
    const t0 = Date.now();
    q.push(1);
    await vi.advanceTimersByTimeAsync(98);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    // second retry waits up to 2 × backoff (full jitter: random 0.999 → 199 ms)
    await vi.advanceTimersByTimeAsync(198);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    expect(calls.map((t) => t - t0)).toEqual([0, 99, 298]);
    expect(q.stats()).toMatchObject({ sent: 0, deadLettered: 1, retries: 2, failures: 3, queued: 0 });
    expect(dead).toEqual([[1, 'HTTP 503 (after 3 attempts)']]);
  });

  it('waits what Retry-After says (bounded by maxBackoffMs)', async () => {
    const calls: number[] = [];
    let n = 0;
    const q = new ExportQueue<number>(cfg({ flushMs: 0 }), async (): Promise<Delivery<number>> => {
      calls.push(Date.now());
      return n++ === 0 ? { kind: 'retry', error: '429', retryAfterMs: 700 } : { kind: 'ok' };
    });
    const t0 = Date.now();
    q.push(1);
    await vi.advanceTimersByTimeAsync(699);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((t) => t - t0)).toEqual([0, 700]);
    expect(q.stats()).toMatchObject({ sent: 1, retries: 1 });
  });

  it('a permanent refusal dead-letters the batch at once', async () => {
    const q = new ExportQueue<number>(cfg({ flushMs: 0 }), async () => ({ kind: 'fail', error: 'HTTP 401' }));
    q.push(1);
    q.push(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(q.stats()).toMatchObject({ sent: 0, deadLettered: 2, retries: 0, lastError: 'HTTP 401' });
  });

  it('partial: accepted items count as sent, refused ones dead, the rest retried alone', async () => {
    const got: number[][] = [];
    const q = new ExportQueue<number>(
      cfg({ flushMs: 0 }),
      async (b): Promise<Delivery<number>> => {
        got.push([...b]);
        return got.length === 1
          ? { kind: 'partial', retry: [3], dead: [2], error: 'item 429' }
          : { kind: 'ok' };
      },
      { random: () => 0 },
    );
    [1, 2, 3].forEach((i) => q.push(i));
    await vi.advanceTimersByTimeAsync(10);
    expect(got).toEqual([[1, 2, 3], [3]]);
    expect(q.stats()).toMatchObject({ sent: 2, deadLettered: 1, retries: 1 });
  });

  it('a delivery that never settles times out and is retried; the queue keeps accepting', async () => {
    let n = 0;
    const q = new ExportQueue<number>(
      cfg({ flushMs: 0, timeoutMs: 200, maxAttempts: 2 }),
      () => {
        n++;
        return new Promise<Delivery<number>>(() => undefined);
      },
      { random: () => 0 },
    );
    q.push(1);
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 20; i++) q.push(i);
    await vi.advanceTimersByTimeAsync(200);
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // backoff of at least 1 ms
    expect(n).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    const s = q.stats();
    expect(s.deadLettered).toBe(1);
    expect(s.lastError).toMatch(/no answer within 200 ms/);
    expect(s.dropped).toBe(10); // capacity 10: half of the 20 pushed while the first batch hung
  });

  it('close flushes within the grace time and counts what is left as dropped', async () => {
    vi.useRealTimers();
    const q = new ExportQueue<number>(cfg({ flushMs: 10_000 }), () => new Promise(() => undefined));
    q.push(1);
    q.push(2);
    await q.close(50);
    expect(q.stats()).toMatchObject({ dropped: 2, queued: 0 });
    expect(q.push(3)).toBe(false);
  });
});
