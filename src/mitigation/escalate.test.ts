import { describe, expect, it } from 'vitest';
import { parseMitigationConfig } from './config.js';
import { nextLevel, rawLevel } from './escalate.js';

const policy = parseMitigationConfig({}).policies.default!;

describe('escalation levels (brief: >100 Mbps, >500 Mbps, >2 Gbps, >5 Gbps)', () => {
  it('maps volume to the level whose threshold is exceeded', () => {
    expect(rawLevel(policy, 100e6, 0)).toBe(0);
    expect(rawLevel(policy, 100e6 + 1, 0)).toBe(1);
    expect(rawLevel(policy, 500e6 + 1, 0)).toBe(2);
    expect(rawLevel(policy, 2e9 + 1, 0)).toBe(3);
    expect(rawLevel(policy, 5e9 + 1, 0)).toBe(4);
  });

  it('honours pps thresholds when set', () => {
    const p = {
      ...policy,
      levels: policy.levels.map((l, i) => ({ ...l, pps: [1e4, 1e5, 1e6, 1e7][i] ?? null })),
    };
    expect(rawLevel(p, 0, 2e5)).toBe(2);
    expect(rawLevel(p, 6e9, 0)).toBe(4);
  });

  it('escalates at once, de-escalates only below the threshold less hysteresis and after the cooldown', () => {
    expect(nextLevel(policy, 1, 0, 6e8, 0, 1, 60000, 4)).toMatchObject({ level: 2, change: 'escalate' });
    // 450 Mbps is below 500 Mbps but above 400 Mbps (20% hysteresis): stay at 2
    expect(nextLevel(policy, 2, 0, 450e6, 0, 120000, 60000, 4)).toMatchObject({ level: 2, change: 'none' });
    // 350 Mbps, but the level changed 30 s ago: cooldown holds it
    expect(nextLevel(policy, 2, 0, 350e6, 0, 30000, 60000, 4)).toMatchObject({ level: 2, change: 'none' });
    expect(nextLevel(policy, 2, 0, 350e6, 0, 60000, 60000, 4)).toMatchObject({
      level: 1,
      change: 'de-escalate',
    });
    // never below 1 while the attack lasts
    expect(nextLevel(policy, 1, 0, 1, 0, 1e9, 60000, 4)).toMatchObject({ level: 1, change: 'none' });
  });

  it('respects a cap (after a rollback)', () => {
    expect(nextLevel(policy, 2, 0, 9e9, 0, 1, 60000, 2)).toMatchObject({ level: 2, change: 'none' });
  });
});
