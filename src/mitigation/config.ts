// The `mitigation` section of floodgate.yaml: confidence, aggregation, escalation policies per host group,
// guards, limits, TTL, retries and the rendering knobs of each intent. Each key carries its type, default
// and help here (STYLE.md rule 9); docs/engine.md explains the semantics.
import { z } from 'zod';
import { rpkiPolicySchema } from './rpki-policy.js';
import { ATTACK_FAMILIES } from '../domain/attack.js';
import { INTENTS } from '../domain/rule.js';
import { tryParseIp, tryParsePrefix } from '../net/index.js';
import { POLICY_MATCH_DEPTHS } from './match.js';

const cidr = z
  .string()
  .refine((s) => tryParsePrefix(s) !== undefined, {
    message: 'expected a CIDR prefix such as 203.0.113.0/24',
  })
  .describe('CIDR prefix, host bits clear.');

const bitsPerSecond = z.number().nonnegative();
/** A rate a rate-limit lets through: above 0 (0 is a discard) and within the 32-bit float of the
 * traffic-rate action (RFC 8955 §7.1), 8 × 3.4028235e38 bit/s. */
const rateBits = z
  .number()
  .positive()
  .max(8 * 3.4028234663852886e38, 'beyond what the 32-bit float of a traffic-rate action holds');

export const levelSchema = z
  .object({
    intent: z.enum(INTENTS).describe('What this level deploys (e.g. replace "drop" with "vrf-redirect").'),
    bps: bitsPerSecond
      .nullable()
      .default(null)
      .describe('Enter this level when the attack exceeds this many bits per second (null = not by bps).'),
    pps: z
      .number()
      .nonnegative()
      .nullable()
      .default(null)
      .describe('Enter this level when the attack exceeds this many packets per second (null = not by pps).'),
    rateBitsPerSecond: rateBits
      .optional()
      .describe('For a rate-limit intent: traffic allowed through, bits/s. Default: this level\u2019s bps.'),
  })
  .strict();
export type LevelConfig = z.infer<typeof levelSchema>;

const DEFAULT_LEVELS: z.input<typeof levelSchema>[] = [
  { intent: 'rate-limit', bps: 100e6 },
  { intent: 'drop', bps: 500e6 },
  { intent: 'blackhole', bps: 2e9 },
  { intent: 'scrubbing', bps: 5e9 },
];

export const policySchema = z
  .object({
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        'Log decisions and mark rules announced without any adapter call (ORed with mitigation.dryRun).',
      ),
    matchDepth: z
      .enum(POLICY_MATCH_DEPTHS)
      .default('precise')
      .describe(
        'How much of the attack signature an auto FlowSpec rule carries. basic: protocols, ports, fragments; precise: also TCP flags (a SYN flood matches syn without ack) and the packet-length range, so a drop hurts as little legitimate traffic as possible (docs/engine.md shows the rule per family).',
      ),
    hysteresis: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.2)
      .describe(
        'Step down only once the attack is below (1 - hysteresis) x the current level\u2019s threshold.',
      ),
    levels: z
      .array(levelSchema)
      .length(4)
      .default(() => DEFAULT_LEVELS.map((l) => levelSchema.parse(l)))
      .describe(
        'Levels 1-4 in order: defaults > 100 Mbps rate-limit, > 500 Mbps drop, > 2 Gbps blackhole, > 5 Gbps scrubbing.',
      ),
  })
  .strict()
  .prefault({});
export type PolicyConfig = z.infer<typeof policySchema>;

export const tenantSchema = z
  .object({
    networks: z
      .array(cidr)
      .default([])
      .describe('Prefixes this tenant owns; rules may only target inside them.'),
    maxActiveRules: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Overrides limits.maxActiveRulesPerTenant.'),
    deploymentsPerWindow: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Overrides limits.deploymentsPerWindow.'),
  })
  .strict();

const familyScores = Object.fromEntries(ATTACK_FAMILIES.map((f) => [f, f === 'unknown' ? 0 : 1])) as Record<
  (typeof ATTACK_FAMILIES)[number],
  number
>;

export const mitigationConfigSchema = z
  .object({
    dryRun: z
      .boolean()
      .default(true)
      .describe(
        'Global dry-run: decide and audit everything, call no adapter. Safe default; set false to act.',
      ),
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .default(300)
      .describe('Rule lifetime after the last event of its attack; refreshed while the attack lasts.'),
    tickMs: z.number().int().positive().default(1000).describe('Lifecycle timer period of the runner (ms).'),
    adapterHealthCheckSeconds: z
      .number()
      .int()
      .positive()
      .default(15)
      .describe(
        'How often every adapter is tested; rules on an adapter found down move to the best healthy one.',
      ),
    confidence: z
      .object({
        threshold: z
          .number()
          .min(0)
          .max(1)
          .default(0.65)
          .describe('Below this confidence the engine raises an alert only.'),
        weights: z
          .object({
            severity: z.number().min(0).max(1).default(0.5).describe('Weight of the severity term.'),
            corroboration: z
              .number()
              .min(0)
              .max(1)
              .default(0.3)
              .describe('Weight of the corroborating-nodes term.'),
            family: z.number().min(0).max(1).default(0.2).describe('Weight of the known-family term.'),
          })
          .strict()
          .prefault({})
          .describe('Weights of the three terms; they should sum to 1.'),
        severityFull: z
          .number()
          .gt(1)
          .default(10)
          .describe('Rate/threshold ratio at which the severity term reaches 1 (log scale from 1x).'),
        corroborationFull: z
          .number()
          .int()
          .positive()
          .default(2)
          .describe('Number of distinct reporting nodes at which the corroboration term reaches 1 (linear).'),
        familyScores: z
          .record(z.enum(ATTACK_FAMILIES), z.number().min(0).max(1))
          .default(familyScores)
          .describe('Family term per attack family (known families 1, "unknown" 0).'),
      })
      .strict()
      .prefault({})
      .describe('Confidence scoring: 0.5·severity + 0.3·corroboration + 0.2·family (docs/engine.md).'),
    aggregation: z
      .object({
        windowMs: z
          .number()
          .int()
          .nonnegative()
          .default(2000)
          .describe('How long a below-threshold first event waits for corroboration before alert-only.'),
        nodeStaleMs: z
          .number()
          .int()
          .positive()
          .default(30000)
          .describe('A node report older than this no longer counts towards volume or corroboration.'),
        volume: z
          .enum(['sum', 'max'])
          .default('sum')
          .describe(
            'Combine node rates by sum (each node sees a disjoint share) or max (nodes see the same traffic).',
          ),
      })
      .strict()
      .prefault({})
      .describe('How reports from several nodes about one target collapse into one rule.'),
    policies: z
      .record(z.string().min(1), policySchema)
      .default(() => ({ default: policySchema.parse({}) }))
      .describe('Named escalation policies.'),
    defaultPolicy: z
      .string()
      .default('default')
      .describe('Policy for host groups not listed in hostGroupPolicies.'),
    hostGroupPolicies: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Host group name -> policy name.'),
    tenants: z
      .record(z.string().min(1), tenantSchema)
      .default({})
      .describe(
        'Tenants and the networks they own: rules, API tokens, audit and status are scoped by them, and detection protects them too. None configured: detection.networks form tenant "default". A target outside every tenant network is rejected.',
      ),
    guards: z
      .object({
        maxPrefixLength: z
          .object({
            v4: z
              .number()
              .int()
              .min(0)
              .max(32)
              .default(24)
              .describe('Broadest IPv4 target: nothing shorter than /24.'),
            v6: z
              .number()
              .int()
              .min(0)
              .max(128)
              .default(48)
              .describe('Broadest IPv6 target: nothing shorter than /48.'),
          })
          .strict()
          .prefault({})
          .describe('Broadest target prefix length per family.'),
        allowSpecialPurpose: z
          .array(cidr)
          .default([])
          .describe(
            'Special-purpose ranges (RFC 6890 registries) an operator explicitly permits as targets.',
          ),
        softWhitelist: z
          .array(
            z
              .object({
                cidr,
                rateBitsPerSecond: rateBits
                  .default(1e9)
                  .describe(
                    'Floor of every rule on this CIDR: a discard or diversion becomes a rate-limit at this rate, a lower rate-limit is raised to it.',
                  ),
              })
              .strict(),
          )
          .default([])
          .describe(
            'CIDRs where drop/blackhole/geo-lockdown/scrubbing become a rate-limit at the CIDR\u2019s rate, which no rule goes below.',
          ),
        rpki: rpkiPolicySchema,
      })
      .strict()
      .prefault({})
      .describe('Guards every rule passes on every path (auto, manual, API, reload).'),
    limits: z
      .object({
        deploymentsPerWindow: z
          .number()
          .int()
          .positive()
          .default(30)
          .describe(
            'Sliding-window rate limit: deployments per tenant per window; excess waits in the queue.',
          ),
        rateWindowMs: z
          .number()
          .int()
          .positive()
          .default(60000)
          .describe('Length of the sliding window (ms).'),
        maxActiveRulesPerTenant: z
          .number()
          .int()
          .positive()
          .default(200)
          .describe('Cap of active rules per tenant.'),
        cooldownMs: z
          .number()
          .int()
          .nonnegative()
          .default(60000)
          .describe(
            'Minimum time at a level before stepping down; auto rules stay off this long after a manual withdraw.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Rate limit, cap and cooldown.'),
    retry: z
      .object({
        initialMs: z
          .number()
          .int()
          .positive()
          .default(1000)
          .describe('First retry delay after a failed call.'),
        factor: z.number().min(1).default(2).describe('Backoff multiplier.'),
        maxMs: z.number().int().positive().default(60000).describe('Longest retry delay.'),
        maxAttempts: z
          .number()
          .int()
          .positive()
          .default(8)
          .describe('Attempts before the rule is marked failed.'),
      })
      .strict()
      .prefault({})
      .describe('Exponential backoff of failed adapter calls.'),
    rtbh: z
      .object({
        communities: z
          .array(z.string())
          .default(['65535:666'])
          .describe('Standard communities (RFC 7999 BLACKHOLE).'),
        largeCommunities: z
          .array(z.string())
          .default([])
          .describe('Large communities (RFC 8092), "asn:x:y".'),
        peers: z
          .array(z.string())
          .default([])
          .describe('Selective blackholing: only these peers (empty = all).'),
      })
      .strict()
      .prefault({})
      .describe('Remote triggered blackhole announcement attributes (RFC 7999).'),
    scrubbing: z
      .object({
        communities: z
          .array(z.string().regex(/^(\d+:\d+|[a-z-]+)$/, 'asn:value or a well-known name'))
          .default([])
          .describe(
            'Standard communities on the diversion announcement (what your upstream or scrubbing provider acts on).',
          ),
        largeCommunities: z
          .array(z.string().regex(/^\d+:\d+:\d+$/, 'global:local1:local2'))
          .default([])
          .describe('Large communities (RFC 8092) on the diversion announcement.'),
        nextHop: z
          .object({
            ipv4: z
              .string()
              .refine((v) => tryParseIp(v)?.family === 4, 'expected an IPv4 address')
              .optional()
              .describe('IPv4 next hop of the diversion route (default: the speaker itself, next-hop self).'),
            ipv6: z
              .string()
              .refine((v) => tryParseIp(v)?.family === 6, 'expected an IPv6 address')
              .optional()
              .describe('IPv6 next hop of the diversion route (default: the speaker itself, next-hop self).'),
          })
          .strict()
          .prefault({})
          .describe('Optional next hop of the diversion route, e.g. the scrubbing centre\u2019s tunnel end.'),
      })
      .strict()
      .prefault({})
      .describe(
        'Scrubbing diversion (level 4): the covering /24 (/48) announced as a unicast route with these attributes.',
      ),
    flowspec: z
      .object({
        rateAsn: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(0)
          .describe('AS field of traffic-rate actions (RFC 8955 §7.1).'),
      })
      .strict()
      .prefault({})
      .describe('FlowSpec action details.'),
    vrfRedirect: z
      .object({
        routeTarget: z
          .string()
          .default('65000:666')
          .describe('Route target of the scrubbing VRF (RFC 8955 §7.4).'),
      })
      .strict()
      .prefault({})
      .describe('VRF redirect intent (RFC 8955 §7.4).'),
    geoLockdown: z
      .object({
        allowCountries: z.array(z.string().length(2)).default([]).describe('ISO 3166 countries let through.'),
      })
      .strict()
      .prefault({})
      .describe('Geo lockdown intent.'),
    rollback: z
      .object({
        enabled: z.boolean().default(true).describe('Replace a rule that collapses legitimate traffic.'),
        collapseRatio: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.5)
          .describe('Collapse = legitimate traffic below this share of its level before the rule.'),
        minBaselineBps: bitsPerSecond.default(1e6).describe('Ignore baselines below this rate (bits/s).'),
      })
      .strict()
      .prefault({})
      .describe('Collateral-damage rollback.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set(Object.keys(c.policies));
    if (!names.has(c.defaultPolicy)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultPolicy'],
        message: `no policy named "${c.defaultPolicy}"`,
      });
    }
    for (const [group, policy] of Object.entries(c.hostGroupPolicies)) {
      if (!names.has(policy)) {
        ctx.addIssue({
          code: 'custom',
          path: ['hostGroupPolicies', group],
          message: `no policy named "${policy}"`,
        });
      }
    }
  })
  .prefault({});

export type MitigationConfig = z.infer<typeof mitigationConfigSchema>;
export type MitigationConfigInput = z.input<typeof mitigationConfigSchema>;

/** Parses (and defaults) a mitigation section; throws a ZodError naming the key path. */
export function parseMitigationConfig(input: unknown): MitigationConfig {
  return mitigationConfigSchema.parse(input ?? {});
}
