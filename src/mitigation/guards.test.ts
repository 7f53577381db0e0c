import { describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { parseMitigationConfig, type MitigationConfigInput } from './config.js';
import { compileGuards, validateRule } from './guards.js';
import { renderRule } from './intents.js';
import type { OriginValidator } from './types.js';

function ctx(over: MitigationConfigInput = {}, origin?: OriginValidator) {
  const cfg = parseMitigationConfig({
    tenants: {
      acme: { networks: ['203.0.113.0/24', '2001:db8::/32', '198.18.0.0/15'] },
      other: { networks: ['100.64.0.0/10'] },
    },
    guards: { allowSpecialPurpose: ['203.0.113.0/24', '2001:db8::/32'], ...(over.guards ?? {}) },
    ...over,
  });
  return { cfg, g: compileGuards(cfg, origin) };
}

function rule(
  target: string,
  intent: Rule['intent'] = 'drop',
  tenant = 'acme',
  over: MitigationConfigInput = {},
): Rule {
  const { cfg } = ctx(over);
  return renderRule(
    {
      id: 'r1',
      tenant,
      target,
      intent,
      level: 2,
      signature: { coverage: 1, protocols: [17] },
      depth: 'basic',
      ttlSeconds: 300,
      now: 0,
      origin: 'auto',
      reason: 't',
      dryRun: false,
    },
    cfg,
  );
}

describe('guards', () => {
  it('accepts a host in the tenant network inside an explicitly allowed special range', () => {
    expect(validateRule(ctx().g, rule('203.0.113.5/32')).ok).toBe(true);
    expect(validateRule(ctx().g, rule('2001:db8::5/128')).ok).toBe(true);
  });

  it('rejects special-purpose and private targets unless allowed, naming the registry entry', () => {
    const r = validateRule(ctx().g, rule('198.18.0.1/32'));
    expect(r).toMatchObject({ ok: false, code: 'special-purpose' });
    expect(!r.ok && r.reason).toContain('Benchmarking');
    expect(validateRule(ctx().g, rule('100.64.0.1/32', 'drop', 'other'))).toMatchObject({
      ok: false,
      code: 'special-purpose',
    });
    expect(validateRule(ctx().g, rule('10.0.0.1/32', 'drop', 'acme'))).toMatchObject({
      ok: false,
      code: 'special-purpose',
    });
  });

  it('rejects documentation ranges by default (no allow list)', () => {
    const { g } = ctx({ guards: { allowSpecialPurpose: [] } });
    expect(validateRule(g, rule('203.0.113.5/32'))).toMatchObject({ ok: false, code: 'special-purpose' });
  });

  it('accepts /24 and /48 but nothing broader', () => {
    const { g } = ctx();
    expect(validateRule(g, rule('203.0.113.0/24')).ok).toBe(true);
    expect(validateRule(g, rule('203.0.112.0/23'))).toMatchObject({ ok: false });
    expect(validateRule(g, rule('2001:db8:1::/48')).ok).toBe(true);
    expect(validateRule(g, rule('2001:db8::/47'))).toMatchObject({ ok: false, code: 'too-broad' });
  });

  it('rejects targets outside the tenant networks', () => {
    const { g } = ctx({
      guards: { allowSpecialPurpose: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.0/24'] },
    });
    expect(validateRule(g, rule('198.51.100.1/32'))).toMatchObject({ ok: false, code: 'outside-tenant' });
    expect(validateRule(g, rule('203.0.113.1/32', 'drop', 'other'))).toMatchObject({
      ok: false,
      code: 'outside-tenant',
    });
    expect(validateRule(g, rule('203.0.113.1/32', 'drop', 'ghost'))).toMatchObject({
      ok: false,
      code: 'unknown-tenant',
    });
  });

  it('soft-whitelist turns drop and blackhole into a rate-limit at the CIDR rate (default 1 Gbps)', () => {
    const over = {
      guards: {
        allowSpecialPurpose: ['203.0.113.0/24'],
        softWhitelist: [{ cidr: '203.0.113.0/28' }, { cidr: '203.0.113.128/25', rateBitsPerSecond: 2e8 }],
      },
    };
    const { g } = ctx(over);
    const d = validateRule(g, rule('203.0.113.5/32', 'drop', 'acme', over));
    expect(d).toMatchObject({ ok: true, rule: { intent: 'rate-limit', rateBytesPerSecond: 125_000_000 } });
    expect(d.ok && d.rule.match.ipProtocol).toBeTruthy();
    const b = validateRule(g, rule('203.0.113.200/32', 'blackhole', 'acme', over));
    expect(b).toMatchObject({ ok: true, rule: { intent: 'rate-limit', rateBytesPerSecond: 25_000_000 } });
    expect(b.ok && b.rule.communities).toBeUndefined();
    expect(validateRule(g, rule('203.0.113.5/32', 'vrf-redirect', 'acme', over))).toMatchObject({
      ok: true,
      rule: { intent: 'vrf-redirect' },
    });
    expect(validateRule(g, rule('203.0.113.64/32', 'drop', 'acme', over))).toMatchObject({
      ok: true,
      rule: { intent: 'drop' },
    });
  });

  it('consults RPKI origin validation before unicast announcements only', () => {
    const invalid: OriginValidator = () => 'invalid';
    const { g } = ctx({}, invalid);
    expect(validateRule(g, rule('203.0.113.5/32', 'blackhole'))).toMatchObject({
      ok: false,
      code: 'rpki-invalid',
    });
    expect(validateRule(g, rule('203.0.113.5/32', 'scrubbing'))).toMatchObject({
      ok: false,
      code: 'rpki-invalid',
    });
    expect(validateRule(g, rule('203.0.113.5/32', 'drop')).ok).toBe(true);
    const strict = ctx(
      { guards: { allowSpecialPurpose: ['203.0.113.0/24'], rpki: 'require-valid' } },
      () => 'unknown',
    ).g;
    expect(validateRule(strict, rule('203.0.113.5/32', 'blackhole'))).toMatchObject({
      ok: false,
      code: 'rpki-not-valid',
    });
    const off = ctx({ guards: { allowSpecialPurpose: ['203.0.113.0/24'], rpki: 'off' } }, invalid).g;
    expect(validateRule(off, rule('203.0.113.5/32', 'blackhole')).ok).toBe(true);
  });

  it('refuses a match that is not valid FlowSpec instead of trimming it', () => {
    const { g } = ctx();
    const r = rule('203.0.113.5/32');
    const bad: Rule = {
      ...r,
      match: { ...r.match, destinationPort: [{ and: false, lt: false, gt: false, eq: true, value: 70000 }] },
    };
    expect(validateRule(g, bad)).toMatchObject({ ok: false, code: 'invalid-match' });
    expect(
      validateRule(g, { ...r, match: { ...r.match, destination: { prefix: '203.0.113.6/32' } } }),
    ).toMatchObject({ ok: false, code: 'invalid-match' });
  });
});
