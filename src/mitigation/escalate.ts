// Escalate stage: the level an attack's volume calls for under a policy. Up at once as the attack grows;
// down only once the volume is below (1 − hysteresis) × the current level's threshold and the rule has
// stood at its level for the cooldown, so a flood hovering around a threshold does not flap.
import { BPS, formatRate } from '../domain/rate.js';
import type { EscalationLevel } from '../domain/rule.js';
import type { LevelConfig, PolicyConfig } from './config.js';

function exceeds(level: LevelConfig, bps: number, pps: number, scale: number): boolean {
  return (level.bps !== null && bps > level.bps * scale) || (level.pps !== null && pps > level.pps * scale);
}

/** Highest level whose bps or pps threshold (× scale) the volume exceeds; 0 when none. */
export function rawLevel(policy: PolicyConfig, bps: number, pps: number, scale = 1): EscalationLevel {
  for (let i = policy.levels.length - 1; i >= 0; i--) {
    const level = policy.levels[i];
    if (level !== undefined && exceeds(level, bps, pps, scale)) return (i + 1) as EscalationLevel;
  }
  return 0;
}

export interface LevelDecision {
  readonly level: EscalationLevel;
  readonly change: 'none' | 'escalate' | 'de-escalate';
  readonly reason: string;
}

function volumeText(bps: number, pps: number): string {
  return `${formatBps(bps)}, ${Math.round(pps)} pps`;
}

export function formatBps(bps: number): string {
  return formatRate(bps, BPS);
}

const STAY: Readonly<Record<EscalationLevel, LevelDecision>> = {
  0: Object.freeze({ level: 0, change: 'none', reason: '' }),
  1: Object.freeze({ level: 1, change: 'none', reason: '' }),
  2: Object.freeze({ level: 2, change: 'none', reason: '' }),
  3: Object.freeze({ level: 3, change: 'none', reason: '' }),
  4: Object.freeze({ level: 4, change: 'none', reason: '' }),
};

/**
 * Next level for a target whose rule stands at `current` (1–4) since `changedAt`. `cap` bounds it from
 * above (a rollback lowers it). Never returns 0: while the attack lasts a rule stays at least at level 1.
 */
export function nextLevel(
  policy: PolicyConfig,
  current: EscalationLevel,
  changedAt: number,
  bps: number,
  pps: number,
  now: number,
  cooldownMs: number,
  cap: EscalationLevel,
): LevelDecision {
  const up = Math.min(rawLevel(policy, bps, pps), cap) as EscalationLevel;
  if (up > current) {
    return { level: up, change: 'escalate', reason: `attack grew to ${volumeText(bps, pps)}: level ${up}` };
  }
  const stay = rawLevel(policy, bps, pps, 1 - policy.hysteresis);
  const target = Math.max(1, Math.min(stay, cap)) as EscalationLevel;
  if (target >= current || now - changedAt < cooldownMs) return STAY[current];
  return {
    level: target,
    change: 'de-escalate',
    reason: `attack subsided to ${volumeText(bps, pps)} (below level ${current} less ${Math.round(policy.hysteresis * 100)}% hysteresis): level ${target}`,
  };
}
