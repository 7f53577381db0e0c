// Every daemon renderer, fed arbitrary FlowSpec rules, either renders every component of the match or
// refuses with a RenderError: never another exception, never a silently dropped component (STYLE.md rule 4).
// Proven against mutations that drop a component (ExaBGP dscp, GoBGP source-port): the property fails.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../domain/rule.js';
import { sampleRule } from '../../domain/sample-rule.js';
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
    return sampleRule('p', {
      tenant: 't',
      target,
      intent,
      level: 1,
      match,
      actions,
      ttlSeconds: 1,
      createdAt: 0,
      expiresAt: 1,
      reason: 'property',
      state: 'pending',
    });
  });

const rtbh = rtbhSchema.parse({});

/** A component present in the rule's match, as its FlowSpec type code (RFC 8955 §4.2.2). */
const TYPE: Readonly<Record<string, number>> = {
  destination: 1,
  source: 2,
  ipProtocol: 3,
  port: 4,
  destinationPort: 5,
  sourcePort: 6,
  icmpType: 7,
  icmpCode: 8,
  tcpFlags: 9,
  packetLength: 10,
  dscp: 11,
  fragment: 12,
  flowLabel: 13,
};

/** Each renderer: render, and the FlowSpec type codes of the components its output carries. */
interface Renderer {
  render(r: Rule): unknown;
  carried(out: unknown): Set<number>;
}

/** Components named in a text form "… { kw value; kw value; … }", by keyword → type code. */
function textCarrier(keywords: Readonly<Record<string, number>>, text: (out: unknown) => string) {
  return (out: unknown): Set<number> => {
    const found = new Set<number>();
    for (const [kw, type] of Object.entries(keywords))
      if (new RegExp(`[{;] ${kw}\\b(?!-)`).test(text(out))) found.add(type);
    return found;
  };
}

const renderers: Record<string, Renderer> = {
  exabgp: {
    render: (r) => renderExabgp(r, { rtbh }),
    carried: textCarrier(
      {
        destination: 1,
        source: 2,
        protocol: 3,
        'next-header': 3,
        port: 4,
        'destination-port': 5,
        'source-port': 6,
        'icmp-type': 7,
        'icmp-code': 8,
        'tcp-flags': 9,
        'packet-length': 10,
        dscp: 11,
        'traffic-class': 11,
        fragment: 12,
        'flow-label': 13,
      },
      (out) => (out as { announce: string }).announce,
    ),
  },
  gobgp: {
    render: (r) => renderGobgpPath(r, gobgpConfigSchema.parse({})),
    carried: (out) =>
      new Set(((out as { nlri: { rules: { type: number }[] } }).nlri.rules ?? []).map((c) => c.type)),
  },
  bird: {
    render: (r) => renderBirdRoute(r, rtbh),
    carried: textCarrier(
      {
        dst: 1,
        src: 2,
        proto: 3,
        'next header': 3,
        port: 4,
        dport: 5,
        sport: 6,
        'icmp type': 7,
        'icmp code': 8,
        'tcp flags': 9,
        length: 10,
        dscp: 11,
        fragment: 12,
        label: 13,
      },
      (out) => (out as { text: string }).text,
    ),
  },
  frr: {
    render: (r) => renderFrr(r, 1, frrConfigSchema.parse({ pbrPortsAndDscp: true })),
    carried: (out) => {
      const lines = (out as { announce: string[] }).announce.join('\n');
      const kw: Record<string, number> = {
        'dst-ip': 1,
        'src-ip': 2,
        'ip-protocol': 3,
        'dst-port': 5,
        'src-port': 6,
        dscp: 11,
      };
      return new Set(
        Object.entries(kw)
          .filter(([k]) => lines.includes(` match ${k} `))
          .map(([, t]) => t),
      );
    },
  },
};

describe('daemon renderers fail closed', () => {
  it.each(Object.keys(renderers))(
    '%s renders every component of the match or throws RenderError, never drops one',
    (name) => {
      const { render, carried } = renderers[name]!;
      fc.assert(
        fc.property(rule, (r) => {
          let out: unknown;
          try {
            out = render(r);
          } catch (err) {
            if (!(err instanceof RenderError)) throw err;
            return;
          }
          expect(out).toBeTruthy();
          const want = Object.keys(r.match)
            .filter((k) => k !== 'family' && (r.match as unknown as Record<string, unknown>)[k] !== undefined)
            .map((k) => TYPE[k] as number);
          // a rule rendered without one of its components matches more traffic than it says
          expect([...carried(out)].sort((a, b) => a - b)).toEqual(expect.arrayContaining(want));
        }),
        { numRuns: 300 },
      );
    },
  );
});
