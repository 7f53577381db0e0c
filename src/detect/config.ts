// The `detection` section of floodgate.yaml: which networks we protect, host groups with their static
// thresholds and baseline mode, per-host overrides, window/tick, attack lifecycle and memory bounds.
// Every key has a default and help text; the lead composes this schema into the full config schema.
import { z } from 'zod';
import { tryParsePrefix } from '../net/index.js';

const rate = (help: string) => z.number().nonnegative().optional().describe(help);

/** Limits for one direction of one target; an absent key means "no limit on this measure". */
export const rateLimitsSchema = z
  .object({
    pps: rate('Packets per second (all protocols).'),
    bps: rate('Bits per second (IP length, all protocols).'),
    flowsPerSecond: rate('New flows per second (flow exports only; sFlow/pcap samples carry no flows).'),
    synPps: rate('TCP SYN-without-ACK packets per second (new-connection rate).'),
    tcpPps: rate('TCP packets per second.'),
    tcpBps: rate('TCP bits per second.'),
    udpPps: rate('UDP packets per second.'),
    udpBps: rate('UDP bits per second.'),
    icmpPps: rate('ICMP/ICMPv6 packets per second.'),
    icmpBps: rate('ICMP/ICMPv6 bits per second.'),
  })
  .strict()
  .describe('Rate limits; a rate above any one of them is an attack on the target.');

export const directionalLimitsSchema = z
  .object({
    incoming: rateLimitsSchema
      .prefault({})
      .describe('Traffic towards the target (destination inside our networks).'),
    outgoing: rateLimitsSchema.prefault({}).describe('Traffic from the target (source inside our networks).'),
  })
  .strict();

const isPrefix = (s: string) => tryParsePrefix(s) !== undefined;
const prefixText = z
  .string()
  .refine(isPrefix, { message: 'expected an IPv4 or IPv6 prefix such as 203.0.113.0/24 or 2001:db8::/48' })
  .describe('IPv4 or IPv6 prefix, e.g. "203.0.113.0/24" or "2001:db8::/48".');

export const BASELINE_MODES = ['static', 'ewma', 'p99'] as const;

export const hostGroupSchema = z
  .object({
    name: z.string().min(1).describe('Name of the group, reported in each AttackEvent as hostGroup.'),
    networks: z
      .array(prefixText)
      .min(1)
      .describe('Prefixes of this group; a host belongs to the longest match.'),
    host: directionalLimitsSchema
      .prefault({})
      .describe('Static thresholds for each single host (/32 or /128) of the group.'),
    prefix: directionalLimitsSchema
      .prefault({})
      .describe(
        'Static thresholds on the total of each /24 (IPv4) or /64 (IPv6) of the group: carpet bombing.',
      ),
    total: directionalLimitsSchema
      .prefault({})
      .describe('Static thresholds on the total of the whole group.'),
    mode: z
      .enum(BASELINE_MODES)
      .default('static')
      .describe(
        'static: fixed thresholds; ewma: dual EWMA baseline; p99: rolling p99 baseline (see dynamic).',
      ),
    bootstrapSeconds: z
      .number()
      .int()
      .nonnegative()
      .default(300)
      .describe('Seconds of samples a baseline needs before it replaces the static thresholds.'),
  })
  .strict();

export const hostOverrideSchema = directionalLimitsSchema.describe(
  'Thresholds for the hosts of this prefix, replacing (key by key) those of their host group.',
);

export const detectionConfigSchema = z
  .object({
    networks: z
      .array(prefixText)
      .default([])
      .describe('Prefixes we protect (IPv4 and IPv6). Only traffic to or from them is counted.'),
    thresholds: z
      .object({
        host: directionalLimitsSchema
          .prefault({ incoming: { pps: 50_000, bps: 500_000_000, synPps: 20_000 } })
          .describe('Static per-host thresholds for hosts in no host group.'),
        prefix: directionalLimitsSchema
          .prefault({ incoming: { pps: 200_000, bps: 2_000_000_000 } })
          .describe('Static thresholds on each /24 or /64 total for hosts in no host group.'),
        total: directionalLimitsSchema
          .prefault({})
          .describe('Static thresholds on the total of the default group.'),
        mode: z.enum(BASELINE_MODES).default('static').describe('Baseline mode of the default group.'),
        bootstrapSeconds: z
          .number()
          .int()
          .nonnegative()
          .default(300)
          .describe('Bootstrap seconds of the default group.'),
      })
      .strict()
      .prefault({})
      .describe('The default host group ("default"): everything in networks that no hostGroup matches.'),
    hostGroups: z
      .array(hostGroupSchema)
      .default([])
      .describe('Named host groups, matched by longest prefix.'),
    hostOverrides: z
      .record(prefixText, hostOverrideSchema)
      .default({})
      .describe(
        'Per-host (or per-prefix) thresholds keyed by prefix, e.g. "203.0.113.5": {incoming: {pps: 1e6}}.',
      ),
    prefixLengths: z
      .object({
        v4: z.number().int().min(8).max(32).default(24).describe('IPv4 prefix length for per-prefix totals.'),
        v6: z
          .number()
          .int()
          .min(16)
          .max(128)
          .default(64)
          .describe('IPv6 prefix length for per-prefix totals.'),
      })
      .strict()
      .prefault({})
      .describe('Length of the destination prefixes totalled to catch carpet bombing.'),
    window: z.number().int().min(100).max(60_000).default(1000).describe('Sliding window length in ms.'),
    tick: z
      .number()
      .int()
      .min(10)
      .max(10_000)
      .default(100)
      .describe('Evaluation period in ms; the window is kept as window/tick buckets.'),
    lateRecords: z
      .enum(['shift', 'drop'])
      .default('shift')
      .describe(
        'A record that ended before the window (flow exports arrive after the flow is expired): shift = count it as ending now, spread over its duration; drop = ignore it.',
      ),
    quietPeriod: z
      .number()
      .nonnegative()
      .default(15)
      .describe('Seconds a target must stay below its thresholds before its attack ends.'),
    updateInterval: z
      .number()
      .positive()
      .default(1)
      .describe('Seconds between update events of an ongoing attack (sooner when its family changes).'),
    rowShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        "Per-record detail (the rows signatures and the legitimate-traffic measurement read) is kept only for records of targets whose rate, or surge rate, passes this share of their lowest threshold, or that are under attack or a rule; the signature of an attack's first instant then covers the records since its target got there. 0 keeps a row for every record (more CPU and memory).",
      ),
    nodeMinShare: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.05)
      .describe(
        'An exporter (node) is reported as seeing an attack when it carries at least this share of its packets or bytes; the shares of the nodes reported are renormalised to the total.',
      ),
    onset: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            "Estimate a new surge's pps and bps over its own elapsed time instead of the whole window (the window still holds the quiet time before it).",
          ),
        minMs: z
          .number()
          .int()
          .min(0)
          .max(60_000)
          .default(200)
          .describe('A surge is judged on its own elapsed time only once it has lasted this long (ms).'),
        minSamples: z
          .number()
          .int()
          .min(1)
          .default(20)
          .describe(
            'And only once this many records (samples) arrived since the target was calm, so that a few datagrams delivered together are not read as a surge.',
          ),
        calmShare: z
          .number()
          .min(0)
          .max(1)
          .default(0.25)
          .describe(
            'A target is calm (the next surge is measured from then) while its window pps and bps are below this share of its thresholds.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Onset estimate: how fast a moderate attack is read at its real size.'),
    collateral: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Measure, per mitigated target, the traffic its rules do not match (legitimate traffic) and report it to the engine for collateral-damage rollback.',
          ),
        intervalMs: z
          .number()
          .int()
          .min(100)
          .max(60_000)
          .default(1000)
          .describe(
            'How often the legitimate traffic of each target under attack or mitigation is reported (ms).',
          ),
      })
      .strict()
      .prefault({})
      .describe('Collateral-damage measurement for the engine (docs/engine.md, "Collateral rollback").'),
    maxHosts: z
      .number()
      .int()
      .min(16)
      .default(1_000_000)
      .describe(
        'Most hosts tracked per direction; idle hosts are evicted first, then new hosts are not tracked.',
      ),
    maxPrefixes: z
      .number()
      .int()
      .min(16)
      .default(262_144)
      .describe('Most /24 or /64 prefixes tracked per direction.'),
    idleEvictSeconds: z
      .number()
      .positive()
      .default(600)
      .describe('A host with no traffic for this long may be evicted (its baseline is lost).'),
    carpet: z
      .object({
        minHosts: z
          .number()
          .int()
          .min(2)
          .default(8)
          .describe('A prefix attack is carpet bombing when at least this many hosts receive it ...'),
        maxTopHostShare: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe('... and no single host receives more than this share of it.'),
      })
      .strict()
      .prefault({}),
    dynamic: z
      .object({
        fastAlpha: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.3)
          .describe('Smoothing factor of the fast EWMA (per second).'),
        slowAlpha: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.05)
          .describe('Smoothing factor of the slow EWMA (per second).'),
        fastFactor: z.number().gt(1).default(3).describe('EWMA mode alarms above fastFactor × fast EWMA ...'),
        slowFactor: z.number().gt(1).default(5).describe('... and above slowFactor × slow EWMA.'),
        p99Samples: z
          .number()
          .int()
          .min(10)
          .max(3600)
          .default(300)
          .describe('Rolling window of one-second samples for the p99 mode.'),
        p99Factor: z.number().gt(1).default(3).describe('p99 mode alarms above p99Factor × rolling p99.'),
        p99MaxTargets: z
          .number()
          .int()
          .min(1)
          .default(20_000)
          .describe(
            'Most targets with a p99 sample ring (2 bytes per sample and measure); others fall back to static.',
          ),
        minPps: z
          .number()
          .nonnegative()
          .default(1000)
          .describe('A dynamic threshold is never below this many packets per second.'),
        minBps: z
          .number()
          .nonnegative()
          .default(10_000_000)
          .describe('A dynamic threshold is never below this many bits per second.'),
      })
      .strict()
      .prefault({})
      .describe('Learned baselines: pps, bps, SYN rate and per-protocol pps are baselined separately.'),
    signature: z
      .object({
        minCoverage: z
          .number()
          .min(0.5)
          .max(1)
          .default(0.9)
          .describe('A signature component is kept only while the signature still covers this share.'),
        maxPorts: z.number().int().min(1).max(32).default(4).describe('Most ports listed in a signature.'),
        maxSourcePrefixes: z
          .number()
          .int()
          .min(0)
          .max(64)
          .default(8)
          .describe('Most source prefixes listed.'),
        maxRows: z
          .number()
          .int()
          .min(1000)
          .default(16_384)
          .describe(
            "Most rows an attack description (signature, traffic mix, node shares) is built from: past it, an even random sample of the target's rows. Bounds the detector tick's pause while a target with hundreds of thousands of records a second is under attack, which would otherwise stall flow receiving.",
          ),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .describe('Attack detection: counters, windows, thresholds, baselines, classification.');

export type RateLimits = z.infer<typeof rateLimitsSchema>;
export type DirectionalLimits = z.infer<typeof directionalLimitsSchema>;
export type HostGroupConfig = z.infer<typeof hostGroupSchema>;
export type BaselineMode = (typeof BASELINE_MODES)[number];
export type DetectionConfig = z.infer<typeof detectionConfigSchema>;
export type DetectionConfigInput = z.input<typeof detectionConfigSchema>;

/** Parses a (partial) detection section, filling defaults; throws ZodError naming the key path. */
export function parseDetectionConfig(input: unknown): DetectionConfig {
  return detectionConfigSchema.parse(input ?? {});
}
