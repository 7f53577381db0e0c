// Learned baselines per target, fed one sample per second (the sliding-window rate at that second):
// dual EWMA (fast/slow) and a rolling p99 over the last N samples, for each measure in BASE_KEYS.
// Seconds without traffic count as zero samples, applied lazily when the target is next touched.
// While a target is under attack its baseline is held, so an attack never teaches itself as normal.

import { BASE_COUNT } from './metrics.js';

export interface BaselineParams {
  readonly fastAlpha: number;
  readonly slowAlpha: number;
  readonly p99Samples: number;
  readonly p99MaxTargets: number;
}

// p99 samples are stored as 16-bit codes of log2(1 + v): 1024 steps per octave, error < 0.07 % of (1 + v).
const Q = 1024;
export function quantize(v: number): number {
  if (!(v > 0)) return 0;
  const q = Math.round(Math.log2(1 + v) * Q);
  return q > 65535 ? 65535 : q;
}
export function dequantize(q: number): number {
  return q === 0 ? 0 : Math.pow(2, q / Q) - 1;
}

/** Ring of the last N one-second samples of each measure for a bounded set of targets. */
class P99Pool {
  ring = new Uint16Array(0);
  pos = new Int32Array(0);
  filled = new Int32Array(0);
  owner = new Int32Array(0);
  /** Last computed p99 per slot and measure; valid until the next sample. */
  cache = new Float64Array(0);
  cacheValid = new Uint8Array(0);
  private slots = 0;
  private free: number[] = [];
  private readonly scratch: Uint16Array;
  constructor(
    readonly n: number,
    readonly max: number,
  ) {
    this.scratch = new Uint16Array(n);
  }

  alloc(owner: number): number {
    let s = this.free.pop();
    if (s === undefined) {
      if (this.slots >= this.max) return -1;
      if (this.slots * BASE_COUNT * this.n >= this.ring.length)
        this.grow(Math.min(this.max, Math.max(64, this.slots * 2)));
      s = this.slots++;
    }
    this.pos[s] = 0;
    this.filled[s] = 0;
    this.owner[s] = owner;
    this.ring.fill(0, s * BASE_COUNT * this.n, (s + 1) * BASE_COUNT * this.n);
    this.invalidate(s);
    return s;
  }

  release(s: number): void {
    this.owner[s] = -1;
    this.free.push(s);
  }

  invalidate(s: number): void {
    this.cacheValid.fill(0, s * BASE_COUNT, (s + 1) * BASE_COUNT);
  }

  push(s: number, values: Float64Array | readonly number[]): void {
    this.invalidate(s);
    const n = this.n;
    const p = this.pos[s] as number;
    const base = s * BASE_COUNT * n;
    for (let m = 0; m < BASE_COUNT; m++) this.ring[base + m * n + p] = quantize(values[m] as number);
    this.pos[s] = (p + 1) % n;
    if ((this.filled[s] as number) < n) this.filled[s] = (this.filled[s] as number) + 1;
  }

  pushZeros(s: number, k: number): void {
    this.invalidate(s);
    const n = this.n;
    const base = s * BASE_COUNT * n;
    const count = Math.min(k, n);
    let p = this.pos[s] as number;
    for (let j = 0; j < count; j++) {
      for (let m = 0; m < BASE_COUNT; m++) this.ring[base + m * n + p] = 0;
      p = (p + 1) % n;
    }
    this.pos[s] = p;
    this.filled[s] = Math.min(n, (this.filled[s] as number) + count);
  }

  /** The 99th percentile (nearest rank) of measure m's filled samples. */
  p99(s: number, m: number): number {
    const f = this.filled[s] as number;
    if (f === 0) return 0;
    const base = s * BASE_COUNT * this.n + m * this.n;
    const sc = this.scratch.subarray(0, f);
    if (f === this.n) sc.set(this.ring.subarray(base, base + f));
    else {
      // Filled samples are the f slots before pos.
      const p = this.pos[s] as number;
      for (let j = 0; j < f; j++) sc[j] = this.ring[base + ((p - f + j + this.n) % this.n)] as number;
    }
    sc.sort();
    const rank = Math.ceil(0.99 * f) - 1;
    return dequantize(sc[rank] as number);
  }

  private grow(slots: number): void {
    const ring = new Uint16Array(slots * BASE_COUNT * this.n);
    ring.set(this.ring);
    this.ring = ring;
    for (const k of ['pos', 'filled', 'owner'] as const) {
      const a = new Int32Array(slots);
      a.set(this[k]);
      this[k] = a;
    }
    const cache = new Float64Array(slots * BASE_COUNT);
    cache.set(this.cache);
    this.cache = cache;
    const valid = new Uint8Array(slots * BASE_COUNT);
    valid.set(this.cacheValid);
    this.cacheValid = valid;
  }
}

export interface BaselineSnapshot {
  readonly fast: number[];
  readonly slow: number[];
  readonly samples: number;
  readonly lastSec: number;
  /** p99 samples, oldest first, per measure (quantized codes). */
  readonly p99?: number[][];
}

export class Baselines {
  fast: Float32Array;
  slow: Float32Array;
  samples: Uint32Array;
  lastSec: Float64Array;
  p99Slot: Int32Array;
  readonly pool: P99Pool;
  private readonly decayFast: number;
  private readonly decaySlow: number;

  constructor(
    capacity: number,
    readonly params: BaselineParams,
  ) {
    this.fast = new Float32Array(capacity * BASE_COUNT);
    this.slow = new Float32Array(capacity * BASE_COUNT);
    this.samples = new Uint32Array(capacity);
    this.lastSec = new Float64Array(capacity);
    this.p99Slot = new Int32Array(capacity).fill(-1);
    this.pool = new P99Pool(params.p99Samples, params.p99MaxTargets);
    this.decayFast = 1 - params.fastAlpha;
    this.decaySlow = 1 - params.slowAlpha;
  }

  grow(capacity: number): void {
    const f = new Float32Array(capacity * BASE_COUNT);
    f.set(this.fast);
    this.fast = f;
    const s = new Float32Array(capacity * BASE_COUNT);
    s.set(this.slow);
    this.slow = s;
    const n = new Uint32Array(capacity);
    n.set(this.samples);
    this.samples = n;
    const l = new Float64Array(capacity);
    l.set(this.lastSec);
    this.lastSec = l;
    const p = new Int32Array(capacity).fill(-1);
    p.set(this.p99Slot);
    this.p99Slot = p;
  }

  /** A new target first seen in second `sec`. */
  reset(id: number, sec: number, wantP99: boolean): void {
    this.fast.fill(0, id * BASE_COUNT, (id + 1) * BASE_COUNT);
    this.slow.fill(0, id * BASE_COUNT, (id + 1) * BASE_COUNT);
    this.samples[id] = 0;
    this.lastSec[id] = sec - 1;
    const old = this.p99Slot[id] as number;
    if (old >= 0) this.pool.release(old);
    this.p99Slot[id] = wantP99 ? this.pool.alloc(id) : -1;
  }

  release(id: number): void {
    const s = this.p99Slot[id] as number;
    if (s >= 0) this.pool.release(s);
    this.p99Slot[id] = -1;
  }

  /** Applies the zero samples of the seconds before `sec` that saw no sample. */
  catchUp(id: number, sec: number): void {
    const gap = sec - 1 - (this.lastSec[id] as number);
    if (gap <= 0) return;
    if (this.samples[id] === 0) {
      // Nothing learnt yet: the bootstrap period starts with the first traffic, not with the idle time before.
      this.lastSec[id] = sec - 1;
      return;
    }
    const b = id * BASE_COUNT;
    const ff = Math.pow(this.decayFast, gap);
    const fs = Math.pow(this.decaySlow, gap);
    for (let m = 0; m < BASE_COUNT; m++) {
      this.fast[b + m] = (this.fast[b + m] as number) * ff;
      this.slow[b + m] = (this.slow[b + m] as number) * fs;
    }
    const s = this.p99Slot[id] as number;
    if (s >= 0) this.pool.pushZeros(s, gap);
    this.samples[id] = Math.min(0xffffffff, (this.samples[id] as number) + gap);
    this.lastSec[id] = sec - 1;
  }

  /** Feeds the sample of second `sec` (rates per measure, BASE_KEYS order). */
  sample(id: number, sec: number, values: Float64Array): void {
    if (sec <= (this.lastSec[id] as number)) return;
    this.catchUp(id, sec);
    const b = id * BASE_COUNT;
    const first = this.samples[id] === 0;
    const af = 1 - this.decayFast;
    const as = 1 - this.decaySlow;
    for (let m = 0; m < BASE_COUNT; m++) {
      const v = values[m] as number;
      if (first) {
        this.fast[b + m] = v;
        this.slow[b + m] = v;
      } else {
        this.fast[b + m] = (this.fast[b + m] as number) + af * (v - (this.fast[b + m] as number));
        this.slow[b + m] = (this.slow[b + m] as number) + as * (v - (this.slow[b + m] as number));
      }
    }
    const s = this.p99Slot[id] as number;
    if (s >= 0) this.pool.push(s, values);
    this.samples[id] = (this.samples[id] as number) + 1;
    this.lastSec[id] = sec;
  }

  /** Skips second `sec` without learning (the target is under attack). */
  hold(id: number, sec: number): void {
    if (sec > (this.lastSec[id] as number)) this.lastSec[id] = sec;
  }

  /** The rolling p99 of measure m, recomputed only after a new sample (sorting 300 samples each tick is not free). */
  p99(id: number, m: number): number | undefined {
    const s = this.p99Slot[id] as number;
    if (s < 0) return undefined;
    const c = s * BASE_COUNT + m;
    if (this.pool.cacheValid[c] !== 1) {
      this.pool.cache[c] = this.pool.p99(s, m);
      this.pool.cacheValid[c] = 1;
    }
    return this.pool.cache[c] as number;
  }

  snapshot(id: number): BaselineSnapshot {
    const b = id * BASE_COUNT;
    const snap: { -readonly [K in keyof BaselineSnapshot]: BaselineSnapshot[K] } = {
      fast: Array.from(this.fast.subarray(b, b + BASE_COUNT)),
      slow: Array.from(this.slow.subarray(b, b + BASE_COUNT)),
      samples: this.samples[id] as number,
      lastSec: this.lastSec[id] as number,
    };
    const s = this.p99Slot[id] as number;
    if (s >= 0) {
      const n = this.pool.n;
      const f = this.pool.filled[s] as number;
      const p = this.pool.pos[s] as number;
      snap.p99 = [];
      for (let m = 0; m < BASE_COUNT; m++) {
        const base = s * BASE_COUNT * n + m * n;
        const out: number[] = [];
        for (let j = 0; j < f; j++) out.push(this.pool.ring[base + ((p - f + j + n) % n)] as number);
        snap.p99.push(out);
      }
    }
    return snap;
  }

  restore(id: number, snap: BaselineSnapshot, wantP99: boolean): void {
    this.reset(id, snap.lastSec + 1, wantP99);
    const b = id * BASE_COUNT;
    for (let m = 0; m < BASE_COUNT; m++) {
      this.fast[b + m] = snap.fast[m] ?? 0;
      this.slow[b + m] = snap.slow[m] ?? 0;
    }
    this.samples[id] = snap.samples;
    this.lastSec[id] = snap.lastSec;
    const s = this.p99Slot[id] as number;
    if (s >= 0 && snap.p99) {
      const n = this.pool.n;
      const f = Math.min(n, snap.p99[0]?.length ?? 0);
      for (let m = 0; m < BASE_COUNT; m++) {
        const src = snap.p99[m] ?? [];
        const base = s * BASE_COUNT * n + m * n;
        for (let j = 0; j < f; j++) this.pool.ring[base + j] = src[src.length - f + j] ?? 0;
      }
      this.pool.pos[s] = f % n;
      this.pool.filled[s] = f;
      this.pool.invalidate(s);
    }
  }
}
