// Bounded memory of recent sFlow raw packet headers, per destination address: what an attack's capture
// starts from (its pre-attack seconds). Bounded in samples and bytes per target, in targets (least recently
// seen evicted first) and in total bytes. Pure data structure: time comes in with each sample.

/** One sampled packet header as received (sflow_version_5.txt "sampled_header"). */
export interface RawSample {
  /** Arrival time, ms since epoch. */
  readonly at: number;
  /** pcap LINKTYPE of `data` (1 Ethernet, 228 IPv4, 229 IPv6). */
  readonly link: number;
  /** Copy of the header octets (the sampled packet's first bytes). */
  readonly data: Uint8Array;
  /** The sampled packet's length on the wire (sFlow frame_length). */
  readonly origLen: number;
  readonly exporter: string;
  /** 1 in N sampling that applied to this sample. */
  readonly rate: number;
}

/** IPv4 destinations key as their uint32, IPv6 as their text: cheap to make on the hot path. */
export type TargetKey = number | string;

export interface RingLimits {
  readonly samplesPerTarget: number;
  readonly bytesPerTarget: number;
  readonly maxTargets: number;
  readonly totalBytes: number;
}

/** Fixed-capacity circular buffer of one target's samples. */
class TargetRing {
  readonly items: (RawSample | undefined)[];
  head = 0;
  count = 0;
  bytes = 0;
  constructor(capacity: number) {
    this.items = new Array<RawSample | undefined>(capacity);
  }
  /** Adds `s`; returns the bytes freed by what it displaced. */
  push(s: RawSample, maxBytes: number): number {
    let freed = 0;
    const cap = this.items.length;
    while (this.count > 0 && (this.count === cap || this.bytes + s.data.length > maxBytes))
      freed += this.shift();
    this.items[(this.head + this.count) % cap] = s;
    this.count++;
    this.bytes += s.data.length;
    return freed;
  }
  shift(): number {
    const s = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    const n = s?.data.length ?? 0;
    this.bytes -= n;
    return n;
  }
  /** Samples at or after `since`, oldest first. */
  since(since: number): RawSample[] {
    const out: RawSample[] = [];
    for (let k = 0; k < this.count; k++) {
      const s = this.items[(this.head + k) % this.items.length]!;
      if (s.at >= since) out.push(s);
    }
    return out;
  }
}

export class SampleRing {
  /** Map order is recency order: a touched target is re-inserted at the end. */
  private readonly rings = new Map<TargetKey, TargetRing>();
  private total = 0;
  /** Targets evicted to respect maxTargets or totalBytes (a metric). */
  evictedTargets = 0;

  constructor(private readonly limits: RingLimits) {}

  add(key: TargetKey, s: RawSample): void {
    if (s.data.length > this.limits.bytesPerTarget) return;
    let r = this.rings.get(key);
    if (r) {
      this.rings.delete(key);
    } else {
      if (this.rings.size >= this.limits.maxTargets) this.evictOldest();
      r = new TargetRing(this.limits.samplesPerTarget);
    }
    this.rings.set(key, r);
    this.total -= r.push(s, this.limits.bytesPerTarget);
    this.total += s.data.length;
    while (this.total > this.limits.totalBytes && this.rings.size > 1) this.evictOldest();
  }

  private evictOldest(): void {
    const first = this.rings.entries().next();
    if (first.done) return;
    this.rings.delete(first.value[0]);
    this.total -= first.value[1].bytes;
    this.evictedTargets++;
  }

  /** Samples of every target accepted by `match`, received at or after `since`, oldest first. */
  collect(match: (key: TargetKey) => boolean, since: number): RawSample[] {
    const out: RawSample[] = [];
    for (const [k, r] of this.rings) if (match(k)) out.push(...r.since(since));
    return out.sort((a, b) => a.at - b.at);
  }

  stats(): { targets: number; bytes: number; evictedTargets: number } {
    return { targets: this.rings.size, bytes: this.total, evictedTargets: this.evictedTargets };
  }
}
