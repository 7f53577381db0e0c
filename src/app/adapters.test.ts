import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { ADAPTER_MODULES, type AdapterModules, buildAdapters, logCarryIssues } from './adapters.js';

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
    const { adapters } = await buildAdapters(config, pino({ level: 'silent' }));
    expect(adapters.map((a) => a.name)).toEqual(['in-use']);
    for (const a of adapters) await a.close();
  });
});

describe('buildAdapters loads only the configured kinds (docs/performance.md "Memory")', () => {
  function recording(broken?: keyof AdapterModules) {
    const loaded: string[] = [];
    const modules = Object.fromEntries(
      (Object.keys(ADAPTER_MODULES) as (keyof AdapterModules)[]).map((k) => [
        k,
        () => {
          loaded.push(k);
          return k === broken ? Promise.reject(new Error('Cannot find package')) : ADAPTER_MODULES[k]();
        },
      ]),
    ) as unknown as AdapterModules;
    return { modules, loaded };
  }

  it('the default config loads no adapter module (no gRPC, no undici)', async () => {
    const { modules, loaded } = recording();
    const built = await buildAdapters(configSchema.parse({}), pino({ level: 'silent' }), modules);
    expect(built.adapters).toEqual([]);
    expect(loaded).toEqual([]);
  });

  it('an enabled GoBGP instance loads the GoBGP module only; a disabled BIRD one loads nothing', async () => {
    const { modules, loaded } = recording();
    const config = configSchema.parse({
      adapters: {
        gobgp: [{ name: 'g', enabled: true, target: '127.0.93.1:50051' }],
        bird: [{ name: 'b', enabled: false }],
      },
    });
    const { adapters } = await buildAdapters(config, pino({ level: 'silent' }), modules);
    expect(adapters.map((a) => a.name)).toEqual(['g']);
    expect(loaded).toEqual(['gobgp']);
    for (const a of adapters) await a.close();
  });

  it('a kind whose module cannot be loaded stops the build with the section and packages named', async () => {
    const { modules } = recording('gobgp');
    const config = configSchema.parse({
      adapters: { gobgp: [{ name: 'g', enabled: true, target: '127.0.93.1:50051' }] },
    });
    await expect(buildAdapters(config, pino({ level: 'silent' }), modules)).rejects.toThrow(
      'adapters.gobgp: could not load its modules (npm @grpc/grpc-js and @grpc/proto-loader): Cannot find package',
    );
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
