// Storm protection per channel: a token bucket (burst, then a sustained rate). A notice that finds no
// token waits in the channel's digest, sent as one message per digest interval. Pure; `now` passed in.

export interface Bucket {
  readonly tokens: number;
  readonly updatedAt: number;
}

export interface RateLimitConfig {
  readonly burst: number;
  readonly perMinute: number;
}

export function fullBucket(cfg: RateLimitConfig, now: number): Bucket {
  return { tokens: cfg.burst, updatedAt: now };
}

/** Refills by elapsed time, then takes one token if there is one. */
export function take(b: Bucket, cfg: RateLimitConfig, now: number): { bucket: Bucket; ok: boolean } {
  const elapsed = Math.max(0, now - b.updatedAt);
  const tokens = Math.min(cfg.burst, b.tokens + (elapsed * cfg.perMinute) / 60_000);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, updatedAt: now }, ok: true };
  return { bucket: { tokens, updatedAt: now }, ok: false };
}
