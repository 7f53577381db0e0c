// guards.rpki per announcement kind against a real VRP table: the common RTBH case (/32 under a /24
// ROA with maxLength 24) and what each choice of policy does with it.
import { describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { parsePrefix } from '../net/prefix.js';
import { VrpTable, describeRov } from '../rpki/table.js';
import { makeVrp } from '../rpki/vrp.js';
import { parseMitigationConfig, type MitigationConfigInput } from './config.js';
import { compileGuards, validateRule } from './guards.js';
import { renderRule } from './intents.js';
import type { OriginValidator } from './types.js';

const OUR_AS = 64500;
const vrps = new VrpTable([
  makeVrp('203.0.113.0/24', 24, OUR_AS), // customer's ROA, maxLength 24: a /32 is invalid
  makeVrp('198.51.100.0/24', 24, 65002), // someone else's origin
]);
const validator: OriginValidator = (prefix) => {
  const p = parsePrefix(prefix);
  const r = vrps.validate(p, OUR_AS);
  return { state: r.state === 'not-found' ? 'unknown' : r.state, detail: describeRov(p, OUR_AS, r) };
};

function guards(rpki: unknown) {
  const cfg = parseMitigationConfig({
    tenants: { acme: { networks: ['203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32'] } },
    guards: { allowSpecialPurpose: ['203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32'], rpki },
  } as MitigationConfigInput);
  return { cfg, g: compileGuards(cfg, validator) };
}

function rule(cfg: ReturnType<typeof guards>['cfg'], target: string, intent: Rule['intent']): Rule {
  return renderRule(
    {
      id: 'r1',
      tenant: 'acme',
      target,
      intent,
      level: 3,
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

describe('guards.rpki per kind', () => {
  it('default: a blackhole is validated on the covering network the customer owns (valid), with the VRP in the note', () => {
    const { cfg, g } = guards(undefined);
    const out = validateRule(g, rule(cfg, '203.0.113.7/32', 'blackhole'));
    expect(out.ok).toBe(true);
    expect(out.ok && out.note).toMatch(
      /rpki valid for 203\.0\.113\.0\/24 \(the network covering 203\.0\.113\.7\/32\).*203\.0\.113\.0\/24-24 AS64500/,
    );
  });

  it('validate: announced holds the same /32 back as RPKI-invalid, naming the covering VRP', () => {
    const { cfg, g } = guards({ blackhole: { mode: 'reject-invalid', validate: 'announced' } });
    expect(validateRule(g, rule(cfg, '203.0.113.7/32', 'blackhole'))).toMatchObject({
      ok: false,
      code: 'rpki-invalid',
      reason: expect.stringMatching(
        /203\.0\.113\.7\/32 is RPKI-invalid.*covered by 203\.0\.113\.0\/24-24 AS64500/,
      ),
    });
  });

  it('a covering network authorised for another AS is invalid either way', () => {
    const { cfg, g } = guards(undefined);
    expect(validateRule(g, rule(cfg, '198.51.100.9/32', 'blackhole'))).toMatchObject({
      ok: false,
      code: 'rpki-invalid',
    });
    expect(validateRule(g, rule(cfg, '198.51.100.9/32', 'scrubbing'))).toMatchObject({
      ok: false,
      code: 'rpki-invalid',
    });
  });

  it('scrubbing validates the diverted /24 itself by default', () => {
    const { cfg, g } = guards(undefined);
    const out = validateRule(g, rule(cfg, '203.0.113.7/32', 'scrubbing'));
    expect(out).toMatchObject({ ok: true, rule: { target: '203.0.113.0/24' } });
    expect(out.ok && out.note).toMatch(/rpki valid for 203\.0\.113\.0\/24:/);
  });

  it('require-valid refuses not-found (no ROA for the IPv6 network)', () => {
    const { cfg, g } = guards({ blackhole: { mode: 'require-valid' } });
    expect(validateRule(g, rule(cfg, '2001:db8::5/128', 'blackhole'))).toMatchObject({
      ok: false,
      code: 'rpki-not-valid',
    });
    const lax = guards(undefined);
    expect(validateRule(lax.g, rule(lax.cfg, '2001:db8::5/128', 'blackhole')).ok).toBe(true);
  });

  it('the single-mode shorthand validates the announced prefix for both kinds; off skips', () => {
    const { cfg, g } = guards('reject-invalid');
    expect(cfg.guards.rpki).toEqual({
      blackhole: { mode: 'reject-invalid', validate: 'announced' },
      scrubbing: { mode: 'reject-invalid', validate: 'announced' },
    });
    expect(validateRule(g, rule(cfg, '203.0.113.7/32', 'blackhole'))).toMatchObject({
      ok: false,
      code: 'rpki-invalid',
    });
    const off = guards('off');
    expect(validateRule(off.g, rule(off.cfg, '198.51.100.9/32', 'blackhole')).ok).toBe(true);
  });

  it('FlowSpec rules are never origin-validated', () => {
    const { cfg, g } = guards('require-valid');
    expect(validateRule(g, rule(cfg, '198.51.100.9/32', 'drop')).ok).toBe(true);
  });
});
