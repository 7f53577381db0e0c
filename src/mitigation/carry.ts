// What the configured adapters can carry, as a pure table: (intent, address family) → carried, or why
// not. The engine consults it before choosing a level (a level no adapter carries falls back to the
// strongest one that can be carried), and check-config / start-up name every (policy, level, intent,
// family) nobody carries. Capability flags are the adapters' own (src/adapters/types.ts), passed in.
import { type EscalationLevel, INTENTS, type Intent } from '../domain/rule.js';
import { tryParsePrefix } from '../net/index.js';
import type { MitigationConfig } from './config.js';

/** An (intent, family) an adapter advertises in general but cannot carry as configured, and why. */
export interface CarryGap {
  readonly intent: Intent;
  readonly family: 4 | 6;
  readonly reason: string;
}

/** The capability flags of one adapter instance (structurally AdapterCapabilities + its name). */
export interface CarryCapabilities {
  readonly name: string;
  readonly families: readonly (4 | 6)[];
  readonly intents: readonly Intent[];
  /** Can restrict an announcement to named peers (selective blackholing, `rtbh.peers`). */
  readonly selectivePeers?: boolean;
  readonly gaps?: readonly CarryGap[];
}

/** `${intent}/${family}` → undefined when some adapter carries it, else the reasons none does. */
export type CarryTable = ReadonlyMap<string, string | undefined>;

const key = (intent: Intent, family: 4 | 6): string => `${intent}/${family}`;

/** Why this adapter cannot carry the intent for the family (undefined when it can). */
export function whyNotCarried(
  a: CarryCapabilities,
  intent: Intent,
  family: 4 | 6,
  needsPeers: boolean,
): string | undefined {
  if (!a.intents.includes(intent)) return `${a.name} does not carry ${intent}`;
  if (!a.families.includes(family)) return `${a.name} has no IPv${family}`;
  const gap = a.gaps?.find((g) => g.intent === intent && g.family === family);
  if (gap !== undefined) return `${a.name}: ${gap.reason}`;
  if (needsPeers && a.selectivePeers !== true)
    return `${a.name} cannot restrict an announcement to rtbh.peers (no selective blackholing)`;
  return undefined;
}

/** Only blackhole announcements are restricted to `rtbh.peers` (see intents.ts renderRule). */
export function needsPeers(cfg: MitigationConfig, intent: Intent): boolean {
  return intent === 'blackhole' && cfg.rtbh.peers.length > 0;
}

export function compileCarry(adapters: readonly CarryCapabilities[], cfg: MitigationConfig): CarryTable {
  const table = new Map<string, string | undefined>();
  for (const intent of INTENTS) {
    for (const family of [4, 6] as const) {
      const reasons = adapters.map((a) => whyNotCarried(a, intent, family, needsPeers(cfg, intent)));
      const carried = reasons.some((r) => r === undefined);
      table.set(
        key(intent, family),
        carried ? undefined : adapters.length === 0 ? 'no adapter is configured' : reasons.join('; '),
      );
    }
  }
  return table;
}

/** Why nothing carries the intent for the family; undefined when something does (or no table: all do). */
export function notCarried(table: CarryTable | undefined, intent: Intent, family: 4 | 6): string | undefined {
  return table?.get(key(intent, family));
}

export interface CarryIssue {
  readonly policy: string;
  /** A ladder level (0 is a manual rule's, outside the ladder). */
  readonly level: Exclude<EscalationLevel, 0>;
  readonly intent: Intent;
  readonly family: 4 | 6;
  readonly reason: string;
  /** error when the policy acts (mitigation live), warning in dry-run. */
  readonly severity: 'error' | 'warning';
}

/** Address families the tenants' networks hold (both when none is configured). */
function familiesInUse(cfg: MitigationConfig): (4 | 6)[] {
  const fams = new Set<4 | 6>();
  for (const t of Object.values(cfg.tenants))
    for (const n of t.networks) {
      const p = tryParsePrefix(n);
      if (p !== undefined) fams.add(p.family);
    }
  return fams.size === 0 ? [4, 6] : [...fams].sort();
}

/** Every (policy, level, intent, family) that no configured adapter can carry. Pure. */
export function uncarriedLevels(cfg: MitigationConfig, adapters: readonly CarryCapabilities[]): CarryIssue[] {
  const table = compileCarry(adapters, cfg);
  const out: CarryIssue[] = [];
  const families = familiesInUse(cfg);
  for (const [name, policy] of Object.entries(cfg.policies)) {
    const severity = cfg.dryRun || policy.dryRun ? 'warning' : 'error';
    policy.levels.forEach((lc, i) => {
      for (const family of families) {
        const reason = notCarried(table, lc.intent, family);
        if (reason !== undefined)
          out.push({
            policy: name,
            level: (i + 1) as CarryIssue['level'],
            intent: lc.intent,
            family,
            reason,
            severity,
          });
      }
    });
  }
  return out;
}

export function formatCarryIssue(i: CarryIssue): string {
  return `policy "${i.policy}" level ${i.level} (${i.intent}) IPv${i.family}: no configured adapter carries it (${i.reason}); the engine falls back to the strongest level that can be carried`;
}
