import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mitigationConfigSchema, parseMitigationConfig } from './config.js';

describe('mitigation config', () => {
  it('defaults to the brief: 0.65 threshold, 4 levels, /24 and /48, 30/min, 200 rules, 5 min TTL, dry-run', () => {
    const c = parseMitigationConfig(undefined);
    expect(c.dryRun).toBe(true);
    expect(c.confidence.threshold).toBe(0.65);
    expect(c.confidence.weights).toEqual({ severity: 0.5, corroboration: 0.3, family: 0.2 });
    const levels = c.policies.default?.levels ?? [];
    expect(levels.map((l) => [l.intent, l.bps])).toEqual([
      ['rate-limit', 100e6],
      ['drop', 500e6],
      ['blackhole', 2e9],
      ['scrubbing', 5e9],
    ]);
    expect(c.guards.maxPrefixLength).toEqual({ v4: 24, v6: 48 });
    expect(c.guards.allowSpecialPurpose).toEqual([]);
    expect(c.limits).toMatchObject({
      deploymentsPerWindow: 30,
      rateWindowMs: 60000,
      maxActiveRulesPerTenant: 200,
    });
    expect(c.ttlSeconds).toBe(300);
    expect(c.rtbh.communities).toEqual(['65535:666']);
  });

  it('fills the soft-whitelist rate default of 1 Gbps and lets a level intent be overridden', () => {
    const c = parseMitigationConfig({
      guards: { softWhitelist: [{ cidr: '203.0.113.0/28' }] },
      policies: {
        default: {},
        gaming: {
          dryRun: true,
          levels: [
            { intent: 'rate-limit', bps: 5e7 },
            { intent: 'vrf-redirect', pps: 1e5 },
            { intent: 'blackhole', bps: 1e9 },
            { intent: 'scrubbing', bps: 4e9 },
          ],
        },
      },
      hostGroupPolicies: { game: 'gaming' },
    });
    expect(c.guards.softWhitelist[0]?.rateBitsPerSecond).toBe(1e9);
    expect(c.policies.gaming?.levels[1]).toEqual({ intent: 'vrf-redirect', bps: null, pps: 1e5 });
  });

  it('names the key path of an error', () => {
    const r = mitigationConfigSchema.safeParse({
      hostGroupPolicies: { web: 'nope' },
      guards: { softWhitelist: [{ cidr: '10.0.0.1/8' }] },
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('guards.softWhitelist.0.cidr');
    const r2 = mitigationConfigSchema.safeParse({ hostGroupPolicies: { web: 'nope' } });
    expect(r2.error?.issues.map((i) => i.path.join('.'))).toContain('hostGroupPolicies.web');
  });

  it('describes every key (help text for the composed config)', () => {
    const schema = z.toJSONSchema(mitigationConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as {
        properties?: Record<string, unknown>;
        items?: unknown;
        additionalProperties?: unknown;
      };
      for (const [k, v] of Object.entries(n.properties ?? {})) {
        if (typeof (v as { description?: unknown }).description !== 'string') missing.push(`${path}${k}`);
        walk(v, `${path}${k}.`);
      }
      walk(n.items, `${path}[].`);
      walk(n.additionalProperties, `${path}*.`);
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });
});
