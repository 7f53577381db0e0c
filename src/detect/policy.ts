// Which of our hosts an address is, which host group it belongs to (longest prefix) and which static
// limits apply to it (group limits overridden key by key by the longest matching host override).
// Limits are resolved once per host into Float64Arrays in LIMIT_KEYS order (Infinity = no limit).

import { type Family, PrefixTrie, formatPrefix, parsePrefix } from '../net/index.js';
import { grownColumn } from './columns.js';
import type { BaselineMode, DetectionConfig, DirectionalLimits, RateLimits } from './config.js';
import { LIMIT_COUNT, LIMIT_KEYS } from './metrics.js';

export interface GroupPolicy {
  readonly index: number;
  readonly name: string;
  readonly mode: BaselineMode;
  readonly bootstrapSeconds: number;
  /** Indexed by direction: 0 incoming, 1 outgoing. */
  readonly prefix: readonly [Float64Array, Float64Array];
  readonly total: readonly [Float64Array, Float64Array];
  readonly host: readonly [Float64Array, Float64Array];
}

export interface HostPolicy {
  readonly group: GroupPolicy;
  readonly host: readonly [Float64Array, Float64Array];
  /** Text of the override prefix that applied, for reasons. */
  readonly override: string | undefined;
}

export function limitsArray(l: RateLimits | undefined, base?: Float64Array): Float64Array {
  const out = base ? Float64Array.from(base) : new Float64Array(LIMIT_COUNT).fill(Infinity);
  if (!l) return out;
  for (let k = 0; k < LIMIT_COUNT; k++) {
    const v = l[LIMIT_KEYS[k] as keyof RateLimits];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function dirArrays(
  d: DirectionalLimits,
  base?: readonly [Float64Array, Float64Array],
): [Float64Array, Float64Array] {
  return [limitsArray(d.incoming, base?.[0]), limitsArray(d.outgoing, base?.[1])];
}

export class Policies {
  readonly groups: GroupPolicy[] = [];
  readonly hostPolicies: HostPolicy[] = [];
  /**
   * Group index by host policy index, kept as host policies are made: the per-record path reads a typed
   * array, not the policy objects (window.ts).
   */
  hostGroupIndex = new Int32Array(16);
  /** Networks we protect → (unused) true. */
  private readonly ours = new PrefixTrie<true>();
  /** Group networks → group index (0 = default group). */
  private readonly groupTrie = new PrefixTrie<number>();
  private readonly overrideTrie = new PrefixTrie<number>();
  private readonly overrides: { text: string; limits: DirectionalLimits }[] = [];
  private readonly hostPolicyIndex = new Map<number, number>();

  constructor(cfg: DetectionConfig) {
    const t = cfg.thresholds;
    this.groups.push({
      index: 0,
      name: 'default',
      mode: t.mode,
      bootstrapSeconds: t.bootstrapSeconds,
      host: dirArrays(t.host),
      prefix: dirArrays(t.prefix),
      total: dirArrays(t.total),
    });
    for (const n of cfg.networks) this.ours.insert(parsePrefix(n), true);
    for (const g of cfg.hostGroups) {
      const index = this.groups.length;
      this.groups.push({
        index,
        name: g.name,
        mode: g.mode,
        bootstrapSeconds: g.bootstrapSeconds,
        host: dirArrays(g.host),
        prefix: dirArrays(g.prefix),
        total: dirArrays(g.total),
      });
      // A host group's networks are protected even when `networks` does not list them.
      for (const n of g.networks) {
        const p = parsePrefix(n);
        this.groupTrie.insert(p, index);
        this.ours.insert(p, true);
      }
    }
    for (const [text, limits] of Object.entries(cfg.hostOverrides)) {
      const p = parsePrefix(text);
      this.overrideTrie.insert(p, this.overrides.length);
      this.overrides.push({ text: formatPrefix(p), limits });
    }
  }

  /** Is the address at words[off] one of ours (hot path, no allocation)? */
  isOurs(family: Family, words: Uint32Array, off: number): boolean {
    return this.ours.lookupWords(family, words, off) !== undefined;
  }

  /** Host policy index of one of our addresses (allocates only for a new group/override pair). */
  hostPolicyOf(family: Family, words: Uint32Array, off: number): number {
    const g = this.groupTrie.lookupWords(family, words, off)?.value ?? 0;
    const o = this.overrideTrie.lookupWords(family, words, off)?.value ?? -1;
    const key = g * 65536 + (o + 1);
    let idx = this.hostPolicyIndex.get(key);
    if (idx === undefined) {
      const group = this.groups[g] as GroupPolicy;
      const ov = o >= 0 ? this.overrides[o] : undefined;
      idx = this.hostPolicies.length;
      const hg = this.hostGroupIndex;
      if (idx >= hg.length) this.hostGroupIndex = grownColumn(hg, Int32Array, hg.length * 2, hg.length);
      this.hostGroupIndex[idx] = group.index;
      this.hostPolicies.push({
        group,
        host: ov ? dirArrays(ov.limits, group.host) : group.host,
        override: ov?.text,
      });
      this.hostPolicyIndex.set(key, idx);
    }
    return idx;
  }

  /** The group network containing an address (for group-total attacks), as text. */
  groupNetworkOf(family: Family, words: Uint32Array, off: number): string | undefined {
    const e = this.groupTrie.lookupWords(family, words, off) ?? this.ours.lookupWords(family, words, off);
    return e ? formatPrefix(e.prefix) : undefined;
  }
}
