// Issue 19 item 3: a FlowSpec rate means what it says. The traffic-rate action holds an IEEE-754 single
// (RFC 8955 §7.1): a rate that would reach the wire as 0 (a discard) or +Infinity is refused or rounded
// up to 1 byte/s, and the soft-whitelist's rate is a floor no rule goes below.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { decodeExtendedCommunity, encodeFlowSpecAction, float32RateProblem } from '../flowspec/actions.js';
import { parseMitigationConfig } from './config.js';
import { compileGuards, validateRule } from './guards.js';
import { rateProblem, renderRule, wireRateBytes } from './intents.js';

const cfg = parseMitigationConfig({
  tenants: { acme: { networks: ['203.0.113.0/24'] } },
  guards: {
    allowSpecialPurpose: ['203.0.113.0/24'],
    softWhitelist: [{ cidr: '203.0.113.0/28', rateBitsPerSecond: 2e8 }],
  },
});
const guards = compileGuards(cfg);

function rule(target: string, intent: Rule['intent'], rateBitsPerSecond?: number): Rule {
  return renderRule(
    {
      id: 'r',
      tenant: 'acme',
      target,
      intent,
      level: 1,
      signature: { coverage: 1, protocols: [17] },
      depth: 'basic',
      ...(rateBitsPerSecond !== undefined ? { rateBitsPerSecond } : {}),
      ttlSeconds: 60,
      now: 0,
      origin: 'manual',
      reason: 't',
      dryRun: false,
    },
    cfg,
  );
}

/** The rate as a router decodes it from the wire. */
function onWire(bytesPerSecond: number): number {
  const wire = encodeFlowSpecAction({ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond });
  const d = decodeExtendedCommunity(wire);
  if (d.kind !== 'action' || d.action.kind !== 'traffic-rate-bytes') throw new Error('not a rate');
  return d.action.bytesPerSecond;
}

describe('FlowSpec rates against the 32-bit float of the traffic-rate action', () => {
  it('the encoder refuses a rate that would reach the wire as Infinity or as 0', () => {
    expect(() => onWire(1e39)).toThrow(/largest 32-bit float/);
    expect(() => onWire(1e-300)).toThrow(/as 0, a discard/);
    expect(onWire(0)).toBe(0); // an explicit drop stays a drop
    expect(float32RateProblem(Number.NaN)).toMatch(/finite/);
  });

  it('a rate-limit of 1e308 bit/s is refused; one of 1e-300 bit/s becomes 1 byte/s, never a discard', () => {
    expect(rateProblem(1e308)).toMatch(/32-bit float/);
    expect(validateRule(guards, rule('203.0.113.100/32', 'rate-limit', 1e308))).toMatchObject({
      ok: false,
      code: 'invalid-match',
    });
    expect(rateProblem(1e-300)).toBeUndefined();
    const tiny = rule('203.0.113.100/32', 'rate-limit', 1e-300);
    expect(tiny.rateBytesPerSecond).toBe(1);
    expect(validateRule(guards, tiny).ok).toBe(true);
    expect(onWire(tiny.rateBytesPerSecond as number)).toBe(1);
    expect(rateProblem(0)).toMatch(/discard/);
    expect(rateProblem(-5)).toMatch(/above 0/);
  });

  it('property: any positive rate the engine accepts is on the wire as a positive finite rate it records exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: Number.MIN_VALUE, max: 1e40, noNaN: true }), (bits) => {
        const bytes = wireRateBytes(bits);
        if (Number.isNaN(bytes)) {
          expect(rateProblem(bits)).toBeDefined();
          return;
        }
        expect(bytes).toBeGreaterThanOrEqual(1);
        const back = onWire(bytes);
        expect(back).toBe(bytes); // what the rule records is what the router reads
        expect(Number.isFinite(back) && back > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a guard refuses a rate-limit rule whose action would be a discard', () => {
    const r = rule('203.0.113.100/32', 'rate-limit', 1e6);
    const zero: Rule = {
      ...r,
      rateBytesPerSecond: 0,
      actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }],
    };
    expect(validateRule(guards, zero)).toMatchObject({ ok: false, reason: expect.stringMatching(/discard/) });
  });
});

describe('the soft-whitelist rate is a floor', () => {
  it('raises a lower rate-limit on a whitelisted target to the whitelist rate', () => {
    const v = validateRule(guards, rule('203.0.113.5/32', 'rate-limit', 8));
    expect(v.ok && v.rule.rateBytesPerSecond).toBe(2e8 / 8);
    expect(v.ok && v.rule.actions).toEqual([{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 2e8 / 8 }]);
    expect(v.ok && v.note).toMatch(/raised to its floor/);
  });

  it('keeps a higher rate-limit, and leaves targets outside the whitelist alone', () => {
    const high = validateRule(guards, rule('203.0.113.5/32', 'rate-limit', 1e9));
    expect(high.ok && high.rule.rateBytesPerSecond).toBe(1e9 / 8);
    const outside = validateRule(guards, rule('203.0.113.100/32', 'rate-limit', 8));
    expect(outside.ok && outside.rule.rateBytesPerSecond).toBe(1);
  });

  it('turns drop, blackhole and a scrubbing diversion overlapping it into a rate-limit at the floor', () => {
    for (const intent of ['drop', 'blackhole', 'scrubbing'] as const) {
      const v = validateRule(guards, rule('203.0.113.5/32', intent));
      expect(v.ok && v.rule.intent).toBe('rate-limit');
      expect(v.ok && v.rule.rateBytesPerSecond).toBe(2e8 / 8);
      expect(v.ok && v.rule.communities).toBeUndefined();
    }
  });

  it('the config refuses a zero or unrepresentable whitelist or level rate', () => {
    expect(() =>
      parseMitigationConfig({
        guards: { softWhitelist: [{ cidr: '203.0.113.0/28', rateBitsPerSecond: 0 }] },
      }),
    ).toThrow();
    expect(() =>
      parseMitigationConfig({
        policies: {
          default: {
            levels: [
              { intent: 'rate-limit', bps: 1e8, rateBitsPerSecond: 1e308 },
              { intent: 'drop', bps: 5e8 },
              { intent: 'blackhole', bps: 2e9 },
              { intent: 'scrubbing', bps: 5e9 },
            ],
          },
        },
      }),
    ).toThrow(/32-bit float/);
  });
});
