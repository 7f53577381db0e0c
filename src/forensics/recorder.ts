// One capture per incoming attack, fed from the ring (its pre-attack seconds) and then from every new sample
// to its target until the capture's caps. Pure: events and samples in, finished captures out; the clock comes
// in with each call. Outgoing attacks are not captured (the ring is keyed by destination).
import type { AttackEvent } from '../domain/attack.js';
import { ipv4ToUint32, maskBytes, parseIp, tryParsePrefix, type Prefix } from '../net/index.js';
import { SampleRing, type RawSample, type RingLimits, type TargetKey } from './ring.js';

export interface CaptureLimits {
  readonly preAttackSeconds: number;
  readonly maxPackets: number;
  readonly maxBytes: number;
  readonly maxSeconds: number;
}

/** pcapng bytes a sample costs: EPB header and trailer (32) + padded data. */
export const sampleCost = (s: RawSample) => 32 + ((s.data.length + 3) & ~3);
/** Room kept for the section header, interface blocks and their comments. */
const HEADER_ROOM = 4096;

export interface Capture {
  readonly attackId: string;
  readonly target: string;
  family: string;
  first: AttackEvent;
  last: AttackEvent;
  readonly samples: RawSample[];
  bytes: number;
  /** Samples left out because a cap (packets, bytes, seconds) was reached. */
  capped: number;
  readonly deadline: number;
  readonly match: (key: TargetKey) => boolean;
}

/** A matcher for ring keys inside `target` (canonical prefix text), or undefined if it is not a prefix. */
export function targetMatcher(target: string): ((key: TargetKey) => boolean) | undefined {
  const p: Prefix | undefined = tryParsePrefix(target, { strict: false });
  if (!p) return undefined;
  if (p.family === 4) {
    const net = ipv4ToUint32({ family: 4, bytes: p.bytes });
    const mask = p.length === 0 ? 0 : (0xffffffff << (32 - p.length)) >>> 0;
    return (k) => typeof k === 'number' && (k & mask) >>> 0 === net;
  }
  return (k) => {
    if (typeof k !== 'string') return false;
    const m = maskBytes(parseIp(k).bytes, p.length);
    return m.every((b, i) => b === p.bytes[i]);
  };
}

export class AttackRecorder {
  readonly ring: SampleRing;
  private readonly active = new Map<string, Capture>();

  constructor(
    ring: RingLimits,
    private readonly limits: CaptureLimits,
  ) {
    this.ring = new SampleRing(ring);
  }

  get activeCount(): number {
    return this.active.size;
  }

  /**
   * The hot path: remember the header src[off, off+len) (a datagram's bytes; copied) and add it to the
   * captures of attacks on its target. Allocates only for a sample a capture takes.
   */
  sample(
    key: TargetKey,
    src: Uint8Array,
    off: number,
    len: number,
    at: number,
    link: number,
    origLen: number,
    exporter: string,
    rate: number,
  ): void {
    this.ring.add(key, src, off, len, at, link, origLen, exporter, rate);
    if (this.active.size === 0) return;
    for (const c of this.active.values()) {
      if (!c.match(key) || !this.fits(c, at, len)) continue;
      const s: RawSample = { at, link, data: src.slice(off, off + len), origLen, exporter, rate };
      c.samples.push(s);
      c.bytes += sampleCost(s);
    }
  }

  /** Whether `c` takes one more sample of `len` bytes at `at`; counts the refusal. */
  private fits(c: Capture, at: number, len: number): boolean {
    if (
      at > c.deadline ||
      c.samples.length >= this.limits.maxPackets ||
      c.bytes + 32 + ((len + 3) & ~3) > this.limits.maxBytes - HEADER_ROOM
    ) {
      c.capped++;
      return false;
    }
    return true;
  }

  private offer(c: Capture, s: RawSample): void {
    if (!this.fits(c, s.at, s.data.length)) return;
    c.samples.push(s);
    c.bytes += sampleCost(s);
  }

  /** Applies an attack event; returns the capture when the attack ended (to be written). */
  event(e: AttackEvent): Capture | undefined {
    if (e.direction !== 'incoming') return undefined;
    const c = this.active.get(e.attackId);
    if (e.kind === 'start' || !c) {
      if (e.kind === 'end' || c) return this.close(e);
      const match = targetMatcher(e.target);
      if (!match) return undefined;
      const cap: Capture = {
        attackId: e.attackId,
        target: e.target,
        family: e.family,
        first: e,
        last: e,
        samples: [],
        bytes: 0,
        capped: 0,
        deadline: e.startedAt + this.limits.maxSeconds * 1000,
        match,
      };
      for (const s of this.ring.collect(match, e.startedAt - this.limits.preAttackSeconds * 1000))
        this.offer(cap, s);
      this.active.set(e.attackId, cap);
      return undefined;
    }
    c.last = e;
    c.family = e.family;
    return e.kind === 'end' ? this.close(e) : undefined;
  }

  private close(e: AttackEvent): Capture | undefined {
    const c = this.active.get(e.attackId);
    if (!c) return undefined;
    c.last = e;
    this.active.delete(e.attackId);
    return c;
  }

  /** The capture of an ongoing attack, as it stands. */
  current(attackId: string): Capture | undefined {
    return this.active.get(attackId);
  }

  /** The ongoing captures (read-only view). */
  ongoing(): Capture[] {
    return [...this.active.values()];
  }

  /** Ends every capture (shutdown): returns them to be written. */
  drain(): Capture[] {
    const all = [...this.active.values()];
    this.active.clear();
    return all;
  }
}
