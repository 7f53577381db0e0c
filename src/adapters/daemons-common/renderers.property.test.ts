// Every daemon renderer, fed arbitrary FlowSpec rules, either renders or refuses with a RenderError:
// never another exception, never an empty match (STYLE.md rule 4).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../domain/rule.js';
import type { FlowSpecAction, FlowSpecMatch } from '../../flowspec/types.js';
import { renderBirdRoute } from '../bird/render.js';
import { frrConfigSchema, gobgpConfigSchema, rtbhSchema } from '../config-daemons.js';
import { renderExabgp } from '../exabgp/render.js';
import { renderFrr } from '../frr/render.js';
import { renderGobgpPath } from '../gobgp/render.js';
import { RenderError } from './errors.js';

const numeric = fc.array(
  fc.record({
    and: fc.boolean(),
    lt: fc.boolean(),
    gt: fc.boolean(),
    eq: fc.boolean(),
    value: fc.integer({ min: 0, max: 70000 }),
  }),
  { maxLength: 3 },
);
const bitmask = fc.array(
  fc.record({
    and: fc.boolean(),
    not: fc.boolean(),
    match: fc.boolean(),
    value: fc.integer({ min: 0, max: 0x1ff }),
  }),
  { maxLength: 3 },
);
const action: fc.Arbitrary<FlowSpecAction> = fc.oneof(
  fc.record({
    kind: fc.constant('traffic-rate-bytes' as const),
    asn: fc.integer({ min: 0, max: 70000 }),
    bytesPerSecond: fc.double({ min: 0, max: 1e13, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('traffic-rate-packets' as const),
    asn: fc.constant(0),
    packetsPerSecond: fc.integer({ min: 0, max: 1e6 }),
  }),
  fc.record({ kind: fc.constant('traffic-action' as const), terminal: fc.boolean(), sample: fc.boolean() }),
  fc.record({ kind: fc.constant('traffic-marking' as const), dscp: fc.integer({ min: 0, max: 70 }) }),
  fc.record({
    kind: fc.constant('redirect-vrf' as const),
    routeTarget: fc.constantFrom('65000:1', '4200000000:7', '10.0.0.1:5', 'x:1'),
  }),
  fc.record({
    kind: fc.constant('redirect-ip' as const),
    nextHop: fc.constantFrom('10.0.0.1', '2001:db8::1'),
    copy: fc.boolean(),
  }),
);

const rule = fc
  .record({
    family: fc.constantFrom(4 as const, 6 as const),
    ipProtocol: fc.option(numeric, { nil: undefined }),
    port: fc.option(numeric, { nil: undefined }),
    destinationPort: fc.option(numeric, { nil: undefined }),
    sourcePort: fc.option(numeric, { nil: undefined }),
    tcpFlags: fc.option(bitmask, { nil: undefined }),
    fragment: fc.option(bitmask, { nil: undefined }),
    flowLabel: fc.option(numeric, { nil: undefined }),
    dscp: fc.option(numeric, { nil: undefined }),
    actions: fc.array(action, { minLength: 1, maxLength: 2 }),
    intent: fc.constantFrom(
      'drop' as const,
      'rate-limit' as const,
      'vrf-redirect' as const,
      'syn-cookies' as const,
    ),
  })
  .map(({ family, actions, intent, ...components }): Rule => {
    const target = family === 4 ? '203.0.113.1/32' : '2001:db8::1/128';
    const match: FlowSpecMatch = { family, destination: { prefix: target }, ...components };
    return {
      id: 'p',
      tenant: 't',
      target,
      family,
      intent,
      level: 1,
      match,
      actions,
      ttlSeconds: 1,
      createdAt: 0,
      expiresAt: 1,
      origin: 'auto',
      reason: 'property',
      state: 'pending',
      dryRun: true,
    };
  });

const rtbh = rtbhSchema.parse({});
const renderers: Record<string, (r: Rule) => unknown> = {
  exabgp: (r) => renderExabgp(r, { rtbh }),
  gobgp: (r) => renderGobgpPath(r, gobgpConfigSchema.parse({})),
  bird: (r) => renderBirdRoute(r, rtbh),
  frr: (r) => renderFrr(r, 1, frrConfigSchema.parse({ pbrPortsAndDscp: true })),
};

describe('daemon renderers fail closed', () => {
  it.each(Object.keys(renderers))('%s renders or throws RenderError only', (name) => {
    const render = renderers[name]!;
    fc.assert(
      fc.property(rule, (r) => {
        try {
          expect(render(r)).toBeTruthy();
        } catch (err) {
          if (!(err instanceof RenderError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });
});
