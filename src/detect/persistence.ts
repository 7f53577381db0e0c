// Baseline persistence: the learned baselines of every target as a JSON blob keyed by target text
// (so a restart keeps what was learnt), and back; targets no longer ours are skipped on load.

import { type Family, ipToWords, parsePrefix } from '../net/index.js';
import type { BaselineSnapshot } from './baseline.js';
import type { CounterSet } from './counters.js';
import type { GroupPolicy } from './policy.js';
import { type CountWindow, DIRECTIONS, LEVELS } from './window.js';

export interface BaselineBlob {
  readonly version: 1;
  /** Per counter set (`host.incoming` …): target prefix text → baseline. */
  readonly sets: Record<string, Record<string, BaselineSnapshot>>;
}

/** Serialisable baselines of every target that has learnt something. */
export function baselinesToJSON(w: CountWindow): BaselineBlob {
  const sets: Record<string, Record<string, BaselineSnapshot>> = {};
  for (let si = 0; si < w.sets.length; si++) {
    const set = w.sets[si] as CounterSet;
    const name = `${LEVELS[si >> 1]}.${DIRECTIONS[si & 1]}`;
    const out: Record<string, BaselineSnapshot> = {};
    for (let id = 0; id < set.table.idLimit; id++) {
      if (set.table.family[id] === 0 || set.baselines.samples[id] === 0) continue;
      const key =
        si >= 4 ? (w.policies.groups[set.policy[id] as number] as GroupPolicy).name : w.targetText(set, id);
      out[key] = set.baselines.snapshot(id);
    }
    sets[name] = out;
  }
  return { version: 1, sets };
}

/** Restores baselines saved by baselinesToJSON (targets no longer ours are skipped). */
export function loadBaselines(w: CountWindow, blob: BaselineBlob): number {
  if (blob?.version !== 1 || typeof blob.sets !== 'object')
    throw new TypeError('baseline blob: unsupported version');
  let n = 0;
  const words = new Uint32Array(4);
  for (let si = 0; si < w.sets.length; si++) {
    const set = w.sets[si] as CounterSet;
    const entries = blob.sets[`${LEVELS[si >> 1]}.${DIRECTIONS[si & 1]}`];
    if (!entries) continue;
    for (const [key, snap] of Object.entries(entries)) {
      let id: number;
      if (si >= 4) {
        const g = w.policies.groups.find((x) => x.name === key);
        if (!g) continue;
        id = set.table.findWords(4, g.index, 0, 0, 0);
        if (id < 0) continue;
        set.baselines.restore(id, snap, g.mode === 'p99');
      } else {
        const p = parsePrefixWords(key, words);
        if (!p) continue;
        const fam = p.family;
        if (!w.policies.isOurs(fam, words, 0)) continue;
        id = set.table.find(fam, words, 0);
        if (id < 0) {
          const pol = w.policies.hostPolicyOf(fam, words, 0);
          const g = (w.policies.hostPolicies[pol] as { group: GroupPolicy }).group;
          id = set.insert(
            fam,
            words[0] as number,
            words[1] as number,
            words[2] as number,
            words[3] as number,
            si < 2 ? pol : g.index,
            snap.lastSec + 1,
            g.mode === 'p99',
          );
          if (id < 0) continue;
          w.gate.init(si, set, id);
          set.lastSeen[id] = (snap.lastSec + 1) * 1000;
        }
        set.baselines.restore(id, snap, w.groupOf(si, id).mode === 'p99');
      }
      n++;
    }
  }
  return n;
}

/** Parses prefix text into four address words; undefined when it is not a prefix. */
export function parsePrefixWords(text: string, out: Uint32Array): { family: Family } | undefined {
  try {
    const p = parsePrefix(text);
    ipToWords({ family: p.family, bytes: p.bytes }, out, 0);
    return { family: p.family };
  } catch {
    return undefined;
  }
}
