import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { buildAdapters, logCarryIssues } from './adapters.js';

describe('buildAdapters', () => {
  it('an adapter instance with enabled: false is not built (issue 10 item 7)', async () => {
    const config = configSchema.parse({
      adapters: {
        gobgp: [
          { name: 'kept-for-later', enabled: false },
          { name: 'in-use', enabled: true, target: '127.12.2.1:50051' },
        ],
        exabgp: [{ name: 'off', enabled: false }],
        bird: [{ name: 'bird-off' }],
      },
    });
    const { adapters } = buildAdapters(config, pino({ level: 'silent' }));
    expect(adapters.map((a) => a.name)).toEqual(['in-use']);
    for (const a of adapters) await a.close();
  });
});

describe('logCarryIssues', () => {
  const issue = (level: 1 | 2 | 3 | 4, family: 4 | 6, severity: 'error' | 'warning') => ({
    policy: 'default',
    level,
    intent: 'drop' as const,
    family,
    reason: 'no adapter configured',
    severity,
  });
  function capture() {
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as never) });
    return { lines, log };
  }

  it('dry-run: one summary warning naming every level, not one line each', () => {
    const { lines, log } = capture();
    logCarryIssues([issue(1, 4, 'warning'), issue(2, 4, 'warning'), issue(2, 6, 'warning')], log);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(40);
    expect(lines[0]!.msg).toMatch(/^3 escalation level\(s\) no configured adapter carries/);
    expect(lines[0]!.msg).toContain('default L2 drop IPv6');
  });

  it('live: one error per level, each naming why', () => {
    const { lines, log } = capture();
    logCarryIssues([issue(3, 4, 'error'), issue(4, 6, 'error')], log);
    expect(lines.map((l) => l.level)).toEqual([50, 50]);
    expect(lines[0]!.msg).toContain(
      'level 3 (drop) IPv4: no configured adapter carries it (no adapter configured)',
    );
  });
});
