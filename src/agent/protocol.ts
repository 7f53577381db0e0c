// The agent ↔ controller contract (POST /api/v1/agents/report): one zod schema each way, used by the API
// route (validation, OpenAPI) and by the agent (its requests are built from these types; the answer is
// validated before anything is applied). Bounds here are the hard caps; `agents.*` config sets lower ones.
import { z } from 'zod';
import { ATTACK_FAMILIES } from '../domain/attack.js';
import { INTENTS } from '../domain/rule.js';

export const MAX_EVENTS_PER_REPORT = 1000;
export const MAX_SAMPLES_PER_REPORT = 5000;
/** base64 of a 256-octet header (the agent's snaplen cap is 256). */
const MAX_SAMPLE_B64 = 344;

const rate = z.number().nonnegative().max(1e15);

export const signatureSchema = z
  .object({
    protocols: z.array(z.number().int().min(0).max(255)).max(256).optional(),
    sourcePorts: z.array(z.number().int().min(0).max(65535)).max(1024).optional(),
    destinationPorts: z.array(z.number().int().min(0).max(65535)).max(1024).optional(),
    packetLength: z
      .object({ min: z.number().int().min(0).max(65535), max: z.number().int().min(0).max(65535) })
      .strict()
      .optional(),
    tcpFlags: z.number().int().min(0).max(255).optional(),
    fragment: z.boolean().optional(),
    sourcePrefixes: z.array(z.string().max(64)).max(64).optional(),
    coverage: z.number().min(0).max(1),
  })
  .strict();

export const agentEventSchema = z
  .object({
    attackId: z.string().min(1).max(200),
    kind: z.enum(['start', 'update', 'end']),
    target: z
      .string()
      .min(1)
      .max(64)
      .describe('Host or prefix the agent saw attacked; must be in its networks.'),
    direction: z.enum(['incoming', 'outgoing']),
    family: z.enum(ATTACK_FAMILIES),
    reason: z.string().max(1000),
    node: z.string().max(200).describe("Ignored: the controller sets the agent's enrolled name."),
    moreNodes: z.number().int().min(0).max(1000).optional(),
    hostGroup: z.string().max(200),
    at: z.number().int().positive(),
    startedAt: z.number().int().positive(),
    pps: rate,
    bps: rate,
    peakPps: rate,
    peakBps: rate,
    thresholdPps: rate.optional(),
    thresholdBps: rate.optional(),
    severity: z.number().nonnegative().max(1e12),
    signature: signatureSchema,
  })
  .strict()
  .describe("An AttackEvent from the agent's detector (src/domain/attack.ts).");

export const headerSampleSchema = z
  .object({
    at: z.number().int().positive().describe('Capture time, Unix ms.'),
    link: z.number().int().min(0).max(65535).describe('pcap LINKTYPE of the octets (1 = Ethernet).'),
    data: z.string().min(1).max(MAX_SAMPLE_B64).describe('The packet\u2019s first octets, base64.'),
    origLen: z.number().int().min(0).max(262144).describe('Length of the packet on the wire.'),
  })
  .strict();

const counterMap = z.record(z.string().max(64), z.number()).refine((m) => Object.keys(m).length <= 64, {
  message: 'at most 64 counters',
});

export const agentReportSchema = z
  .object({
    seq: z
      .number()
      .int()
      .min(0)
      .describe('Report number since the agent started (queued reports keep theirs).'),
    sentAt: z.number().int().positive().describe('When the agent made the report, Unix ms.'),
    version: z.string().max(64),
    samplingRate: z.number().int().min(1).max(1_000_000).describe('1 in N packets sampled.'),
    counters: z
      .object({
        seconds: z.number().nonnegative(),
        interfaces: z.record(z.string().max(32), counterMap).refine((m) => Object.keys(m).length <= 64),
        snmp: z.record(z.string().max(32), counterMap).refine((m) => Object.keys(m).length <= 16),
      })
      .strict()
      .optional()
      .describe('Per-second /proc/net/dev and /proc/net/snmp rates of the last interval.'),
    capture: z
      .object({
        seen: z.number().int().min(0),
        sampled: z.number().int().min(0),
        notIp: z.number().int().min(0),
      })
      .strict()
      .optional(),
    events: z.array(agentEventSchema).max(MAX_EVENTS_PER_REPORT).default([]),
    samples: z.array(headerSampleSchema).max(MAX_SAMPLES_PER_REPORT).default([]),
    held: z.array(z.string().max(64)).max(1000).default([]).describe('Rule ids the agent holds in nftables.'),
    queued: z.number().int().min(0).default(0).describe('Reports waiting in the agent\u2019s offline queue.'),
  })
  .strict();
export type AgentReport = z.input<typeof agentReportSchema>;
export type AgentReportParsed = z.output<typeof agentReportSchema>;

/** A rule the agent is to hold: the engine's Rule (src/domain/rule.ts), the fields the local adapter reads. */
export const agentMitigationSchema = z
  .looseObject({
    id: z.string().regex(/^[A-Za-z0-9_.:@/+-]{1,64}$/),
    tenant: z.string(),
    target: z.string().max(64),
    family: z.union([z.literal(4), z.literal(6)]),
    intent: z.enum(INTENTS),
    level: z.number().int().min(0).max(4),
    match: z.record(z.string(), z.unknown()),
    actions: z.array(z.unknown()),
    rateBytesPerSecond: z.number().positive().optional(),
    allowCountries: z.array(z.string().length(2)).optional(),
    ttlSeconds: z.number(),
    createdAt: z.number(),
    expiresAt: z
      .number()
      .describe('Unix ms; the agent drops the rule by itself after this if it hears nothing.'),
    origin: z.enum(['auto', 'manual']),
    reason: z.string(),
    state: z.string(),
    dryRun: z.boolean(),
  })
  .describe('A mitigation rule for the agent to apply in its own nftables table.');

export const agentReportAnswerSchema = z.object({
  agent: z.string().describe('The enrolled name; the controller uses it as the node of the events.'),
  accepted: z.number().int().describe('Events handed to the engine.'),
  refused: z
    .array(z.object({ index: z.number().int(), reason: z.string() }))
    .describe('Events refused, e.g. a target outside the agent\u2019s networks.'),
  samples: z.number().int().describe('Samples handed to attack captures (0 when forensics is off).'),
  mitigations: z
    .array(agentMitigationSchema)
    .describe('Every rule the agent should hold now; a held rule missing here is to be removed.'),
});
export type AgentReportAnswer = z.output<typeof agentReportAnswerSchema>;
