// zod schemas for FlowSpec matches and actions: the JSON form is the types themselves. One schema for
// config, API and anything else that arrives as JSON; it runs validateFlowSpec, so a match it accepts
// always encodes, and each issue's reason code is kept in `params.reason`.
import { z } from 'zod';
import { tryParseIp } from '../net/index.js';
import { parseAdminValue } from './rd.js';
import { validateFlowSpec } from './validate.js';
import type { FlowSpecAction, FlowSpecMatch } from './types.js';

const uint = z.number().int().nonnegative();

export const numericTermSchema = z
  .strictObject({
    and: z.boolean().describe('AND with the previous term (false = OR); must be false on the first term'),
    lt: z.boolean().describe('less-than bit'),
    gt: z.boolean().describe('greater-than bit'),
    eq: z.boolean().describe('equal bit'),
    value: uint.describe('value compared against the packet field'),
  })
  .describe('RFC 8955 §4.2.1.1 numeric operator term');

export const bitmaskTermSchema = z
  .strictObject({
    and: z.boolean().describe('AND with the previous term (false = OR); must be false on the first term'),
    not: z.boolean().describe('invert the result'),
    match: z.boolean().describe('true: all value bits set; false: any value bit set'),
    value: uint.describe('bits tested'),
  })
  .describe('RFC 8955 §4.2.1.2 bitmask operator term');

export const flowSpecPrefixSchema = z
  .strictObject({
    prefix: z.string().describe('canonical prefix text, e.g. 203.0.113.5/32 or 2001:db8::/64'),
    offset: uint.max(127).optional().describe('IPv6 only: bits skipped before matching (RFC 8956 §3.1)'),
  })
  .describe('prefix component');

const numeric = z.array(numericTermSchema).min(1);
const bitmask = z.array(bitmaskTermSchema).min(1);

const matchShape = z.strictObject({
  family: z.union([z.literal(4), z.literal(6)]).describe('IP version of the rule'),
  destination: flowSpecPrefixSchema.optional().describe('type 1: destination prefix'),
  source: flowSpecPrefixSchema.optional().describe('type 2: source prefix'),
  ipProtocol: numeric.optional().describe('type 3: IP protocol / IPv6 next header'),
  port: numeric.optional().describe('type 4: source or destination port'),
  destinationPort: numeric.optional().describe('type 5: destination port'),
  sourcePort: numeric.optional().describe('type 6: source port'),
  icmpType: numeric.optional().describe('type 7: ICMP type'),
  icmpCode: numeric.optional().describe('type 8: ICMP code'),
  tcpFlags: bitmask.optional().describe('type 9: TCP flags'),
  packetLength: numeric.optional().describe('type 10: IP packet length'),
  dscp: numeric.optional().describe('type 11: DSCP'),
  fragment: bitmask.optional().describe('type 12: fragment bits'),
  flowLabel: numeric.optional().describe('type 13: IPv6 flow label'),
});

/** A FlowSpec match as JSON; rejects (with reason codes) everything validateFlowSpec rejects. */
export const flowSpecMatchSchema: z.ZodType<FlowSpecMatch> = matchShape
  .superRefine((m, ctx) => {
    for (const issue of validateFlowSpec(m)) {
      const path: (string | number)[] = [];
      if (issue.component !== undefined) path.push(issue.component);
      if (issue.term !== undefined) path.push(issue.term);
      ctx.addIssue({ code: 'custom', message: issue.message, path, params: { reason: issue.reason } });
    }
  })
  .describe('FlowSpec match (RFC 8955 / RFC 8956 components)');

const asn2 = uint.max(0xffff);
const rateValue = z.number().nonnegative().refine(Number.isFinite, 'must be finite');

export const flowSpecActionSchema: z.ZodType<FlowSpecAction> = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('traffic-rate-bytes'), asn: asn2, bytesPerSecond: rateValue }),
    z.strictObject({ kind: z.literal('traffic-rate-packets'), asn: asn2, packetsPerSecond: rateValue }),
    z.strictObject({ kind: z.literal('traffic-action'), terminal: z.boolean(), sample: z.boolean() }),
    z.strictObject({
      kind: z.literal('redirect-vrf'),
      routeTarget: z
        .string()
        .refine((t) => typeof parseAdminValue(t) !== 'string', 'route target must be AS:N, ASL:N or IPv4:N'),
    }),
    z.strictObject({ kind: z.literal('traffic-marking'), dscp: uint.max(63) }),
    z.strictObject({
      kind: z.literal('redirect-ip'),
      nextHop: z.string().refine((t) => tryParseIp(t) !== undefined, 'next hop must be an IP address'),
      copy: z.boolean(),
    }),
  ])
  .describe('FlowSpec action (RFC 8955 §7 extended communities)');
