// The targets of a record: its host in each direction (when it is ours), the host's /24 (/64) and, via
// the host's policy, its group; new targets are added to their counter sets while there is room, and
// idle ones (no records in the window, no open attack) are evicted every 10 s, or at once when a table
// was full.

import type { Family } from '../net/index.js';
import type { DetectionConfig } from './config.js';
import type { CounterSet } from './counters.js';
import type { GroupPolicy, Policies } from './policy.js';
import type { RowGate } from './rowgate.js';

/** Slots of the negative cache (a power of two; 32 KB, stays in cache). */
const NOT_OURS_SLOTS = 4096;
const NOT_OURS_SHIFT = 32 - Math.log2(NOT_OURS_SLOTS);

export class TargetIndex {
  private lastEvictSec = 0;
  private needEvict = false;
  private readonly maskW = new Uint32Array(4);
  /**
   * Negative cache of remote IPv4 addresses (not ours), direct-mapped by a hash of the address (-1:
   * empty). Every record has a remote side, looked up in a host table (a miss) and then in the "ours"
   * trie; a cached address skips both. Safe for the window's life: the networks it protects are fixed.
   */
  private readonly notOurs = new Float64Array(NOT_OURS_SLOTS).fill(-1);
  /**
   * The last IPv4 host found per direction (address, id; valid while lastOk): consecutive records of one
   * flow export datagram often share a destination (a flood), and then skip the hash lookup. Ids only
   * change when targets are evicted, which clears it (forget()).
   */
  private readonly lastAddr = new Float64Array(2);
  private readonly lastId = new Int32Array(2);
  private readonly lastOk = new Uint8Array(2);
  /** Record time of the record being looked up (last-seen times), set by the window per record. */
  now = 0;

  constructor(
    private readonly cfg: DetectionConfig,
    private readonly policies: Policies,
    private readonly sets: readonly CounterSet[],
    /** The window's counters: records for a host that found no room count as untracked. */
    private readonly stats: { untracked: number },
    /** Sets each new target's row limits. */
    private readonly gate: RowGate,
  ) {}

  /** The ids held from the last lookups may be stale (targets were evicted, or a new batch begins). */
  forget(): void {
    this.lastOk[0] = this.lastOk[1] = 0;
  }

  hostFor(d: number, fam: Family, words: Uint32Array, off: number): number {
    const set = this.sets[d] as CounterSet;
    const t = this.now;
    const w0 = words[off] as number;
    if (fam === 4 && this.lastOk[d] === 1 && this.lastAddr[d] === w0) {
      const id = this.lastId[d] as number;
      set.lastSeen[id] = t;
      return id;
    }
    const slot = Math.imul(w0, 0x9e3779b1) >>> NOT_OURS_SHIFT;
    if (fam === 4 && this.notOurs[slot] === w0) return -1;
    let id = set.table.find(fam, words, off);
    if (id < 0) {
      if (!this.policies.isOurs(fam, words, off)) {
        if (fam === 4) this.notOurs[slot] = w0;
        return -1;
      }
      const pol = this.policies.hostPolicyOf(fam, words, off);
      const g = (this.policies.hostPolicies[pol] as { group: GroupPolicy }).group;
      const v6 = fam === 6;
      id = set.insert(
        fam,
        w0,
        v6 ? (words[off + 1] as number) : 0,
        v6 ? (words[off + 2] as number) : 0,
        v6 ? (words[off + 3] as number) : 0,
        pol,
        Math.floor(t / 1000),
        g.mode === 'p99',
      );
      if (id < 0) {
        this.stats.untracked++;
        this.needEvict = true;
        return -1;
      }
      this.gate.init(d, set, id);
    }
    set.lastSeen[id] = t;
    if (fam === 4) {
      this.lastAddr[d] = w0;
      this.lastId[d] = id;
      this.lastOk[d] = 1;
    }
    return id;
  }

  prefixFor(d: number, hostId: number, fam: number, words: Uint32Array, off: number): number {
    const t = this.now;
    const hosts = this.sets[d] as CounterSet;
    const prefixes = this.sets[2 + d] as CounterSet;
    const cached = hosts.prefixId[hostId] as number;
    if (
      cached >= 0 &&
      prefixes.gen[cached] === hosts.prefixGen[hostId] &&
      prefixes.table.family[cached] === fam
    ) {
      prefixes.lastSeen[cached] = t;
      return cached;
    }
    const len = fam === 4 ? this.cfg.prefixLengths.v4 : this.cfg.prefixLengths.v6;
    const m = this.maskW;
    for (let k = 0; k < 4; k++) {
      const bits = len - k * 32;
      const w = fam === 4 && k > 0 ? 0 : (words[off + k] as number);
      m[k] = bits >= 32 ? w : bits <= 0 ? 0 : (w & (-1 << (32 - bits))) >>> 0;
    }
    let id = prefixes.table.findWords(fam, m[0] as number, m[1] as number, m[2] as number, m[3] as number);
    if (id < 0) {
      const g = (this.policies.hostPolicies[hosts.policy[hostId] as number] as { group: GroupPolicy }).group;
      id = prefixes.insert(
        fam,
        m[0] as number,
        m[1] as number,
        m[2] as number,
        m[3] as number,
        g.index,
        Math.floor(t / 1000),
        g.mode === 'p99',
      );
      if (id < 0) {
        this.needEvict = true;
        return -1;
      }
      this.gate.init(2 + d, prefixes, id);
    }
    hosts.prefixId[hostId] = id;
    hosts.prefixGen[hostId] = prefixes.gen[id] as number;
    prefixes.lastSeen[id] = t;
    return id;
  }

  private evict(now: number, sec: number): void {
    this.lastEvictSec = sec;
    this.forget();
    const idleBefore = now - this.cfg.idleEvictSeconds * 1000;
    for (let si = 0; si < 4; si++) {
      const set = this.sets[si] as CounterSet;
      set.evictIdle(idleBefore);
      // Still full: make room by evicting any target without traffic in the window.
      if (this.needEvict && set.size >= set.table.maxEntries)
        set.evictIdle(now - this.cfg.window, set.table.maxEntries / 8);
    }
    this.needEvict = false;
  }
  /** Evicts idle targets every 10 s, or at once when a table was full. */
  maybeEvict(now: number, sec: number): void {
    if (this.needEvict || sec - this.lastEvictSec >= 10) this.evict(now, sec);
  }
}
