// Bounded memory of recent sFlow raw packet headers, per destination address: what an attack's capture
// starts from (its pre-attack seconds). Each target owns a slab of fixed-size slots (no allocation per
// sample on the hot path): bounded in samples and bytes per target (a header longer than its slot is
// truncated to it, like a snaplen), in targets (least recently seen evicted first) and in total bytes.
// Pure data structure: time comes in with each sample.

/** One sampled packet header as received (sflow_version_5.txt "sampled_header"). */
export interface RawSample {
  /** Arrival time, ms since epoch. */
  readonly at: number;
  /** pcap LINKTYPE of `data` (1 Ethernet, 228 IPv4, 229 IPv6). */
  readonly link: number;
  /** Copy of the header octets (the sampled packet's first bytes). */
  readonly data: Uint8Array;
  /** The sampled packet's length on the wire (frame_length − stripped). */
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

/** Slots a new target starts with; doubled up to samplesPerTarget as it keeps receiving. */
const FIRST_SLOTS = 32;
/** A target seen again within this long keeps its place in the recency order (no re-insertion). */
const TOUCH_MS = 1000;

/** Circular buffer of one target's samples in typed arrays. */
class TargetRing {
  data: Uint8Array;
  at: Float64Array;
  len: Uint16Array;
  orig: Uint32Array;
  rate: Uint32Array;
  link: Uint16Array;
  exporter: Uint16Array;
  head = 0;
  count = 0;
  touched = -Infinity;

  constructor(
    private capacity: number,
    readonly slot: number,
  ) {
    this.data = new Uint8Array(capacity * slot);
    this.at = new Float64Array(capacity);
    this.len = new Uint16Array(capacity);
    this.orig = new Uint32Array(capacity);
    this.rate = new Uint32Array(capacity);
    this.link = new Uint16Array(capacity);
    this.exporter = new Uint16Array(capacity);
  }

  get bytes(): number {
    return this.data.length + this.capacity * 18;
  }

  /** Doubles the slots (oldest first after the copy); returns the bytes added. */
  grow(max: number): number {
    const before = this.bytes;
    const next = Math.min(max, this.capacity * 2);
    const n = this.count;
    const idx = (k: number) => (this.head + k) % this.capacity;
    const data = new Uint8Array(next * this.slot);
    const at = new Float64Array(next);
    const len = new Uint16Array(next);
    const orig = new Uint32Array(next);
    const rate = new Uint32Array(next);
    const link = new Uint16Array(next);
    const exporter = new Uint16Array(next);
    for (let k = 0; k < n; k++) {
      const j = idx(k);
      data.set(this.data.subarray(j * this.slot, (j + 1) * this.slot), k * this.slot);
      at[k] = this.at[j]!;
      len[k] = this.len[j]!;
      orig[k] = this.orig[j]!;
      rate[k] = this.rate[j]!;
      link[k] = this.link[j]!;
      exporter[k] = this.exporter[j]!;
    }
    Object.assign(this, { data, at, len, orig, rate, link, exporter, head: 0, capacity: next });
    return this.bytes - before;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  get slots(): number {
    return this.capacity;
  }

  push(
    src: Uint8Array,
    off: number,
    len: number,
    at: number,
    link: number,
    origLen: number,
    exporter: number,
    rate: number,
  ): void {
    let j: number;
    if (this.count === this.capacity) {
      j = this.head;
      this.head = (this.head + 1) % this.capacity;
    } else {
      j = (this.head + this.count) % this.capacity;
      this.count++;
    }
    const n = Math.min(len, this.slot);
    // a byte loop: headers are short, and subarray() + set() would allocate a view per sample
    const d = this.data;
    const base = j * this.slot;
    for (let k = 0; k < n; k++) d[base + k] = src[off + k]!;
    this.at[j] = at;
    this.len[j] = n;
    this.orig[j] = origLen;
    this.rate[j] = rate;
    this.link[j] = link;
    this.exporter[j] = exporter;
  }

  since(since: number, exporters: readonly string[], out: RawSample[]): void {
    for (let k = 0; k < this.count; k++) {
      const j = (this.head + k) % this.capacity;
      if (this.at[j]! < since) continue;
      const o = j * this.slot;
      out.push({
        at: this.at[j]!,
        link: this.link[j]!,
        data: this.data.slice(o, o + this.len[j]!),
        origLen: this.orig[j]!,
        exporter: exporters[this.exporter[j]!] ?? '?',
        rate: this.rate[j]!,
      });
    }
  }
}

export class SampleRing {
  /** Map order is (approximate) recency order: a target is re-inserted at most once per TOUCH_MS. */
  private readonly rings = new Map<TargetKey, TargetRing>();
  private readonly exporterIds = new Map<string, number>();
  private readonly exporters: string[] = [];
  private readonly slot: number;
  private total = 0;
  /** Targets evicted to respect maxTargets or totalBytes (a metric). */
  evictedTargets = 0;

  constructor(private readonly limits: RingLimits) {
    this.slot = Math.max(1, Math.min(65535, Math.floor(limits.bytesPerTarget / limits.samplesPerTarget)));
  }

  /** Copies src[off, off+len) (truncated to the slot size) into the target's ring. */
  add(
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
    let r = this.rings.get(key);
    if (!r) {
      if (this.rings.size >= this.limits.maxTargets) this.evictOldest();
      r = new TargetRing(Math.min(FIRST_SLOTS, this.limits.samplesPerTarget), this.slot);
      this.total += r.bytes;
      this.rings.set(key, r);
      r.touched = at;
    } else if (at - r.touched > TOUCH_MS) {
      this.rings.delete(key);
      this.rings.set(key, r);
      r.touched = at;
    }
    if (r.full && r.slots < this.limits.samplesPerTarget) this.total += r.grow(this.limits.samplesPerTarget);
    let ex = this.exporterIds.get(exporter);
    if (ex === undefined) {
      // a 16-bit index; past 65535 exporters the last one stands for the rest (names only)
      ex = Math.min(this.exporters.length, 65535);
      if (ex === this.exporters.length) this.exporters.push(exporter);
      this.exporterIds.set(exporter, ex);
    }
    r.push(src, off, len, at, link, origLen, ex, rate);
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
    for (const [k, r] of this.rings) if (match(k)) r.since(since, this.exporters, out);
    return out.sort((a, b) => a.at - b.at);
  }

  /** Bytes held (slabs and their metadata), targets, evictions. */
  stats(): { targets: number; bytes: number; evictedTargets: number } {
    return { targets: this.rings.size, bytes: this.total, evictedTargets: this.evictedTargets };
  }
}
