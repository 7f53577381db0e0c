// Two config sections: `agents` (the controller: whether it takes host agent reports, and their caps) and
// `agent` (read by `floodgate agent -c FILE` on the host: capture, sampling, controller, queue, breaker,
// local mitigation). The agent detects with the same file's `detection` section (docs/agent.md).
import { z } from 'zod';
import { INTENTS } from '../domain/rule.js';
import { MAX_EVENTS_PER_REPORT, MAX_SAMPLES_PER_REPORT } from './protocol.js';

const int = (min: number, max: number, def: number, help: string) =>
  z.number().int().min(min).max(max).default(def).describe(help);

export const agentsConfigSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Take reports from enrolled host agents (POST /api/v1/agents/report) and mitigate through them (the "agents" adapter).',
      ),
    maxAgents: int(1, 100_000, 1000, 'Enrolled (active) agents at most.'),
    maxEventsPerReport: int(
      1,
      MAX_EVENTS_PER_REPORT,
      100,
      'Attack events taken from one report; the rest are refused.',
    ),
    maxSamplesPerReport: int(
      0,
      MAX_SAMPLES_PER_REPORT,
      2000,
      'Packet samples taken from one report into attack captures (forensics.enabled).',
    ),
    mirror: z
      .boolean()
      .default(false)
      .describe(
        'Also send each agent the engine\u2019s active rules held by other adapters (not dry-run) for its networks and allow-list, so the host enforces locally what FlowSpec enforces upstream.',
      ),
    staleSeconds: int(
      1,
      86_400,
      30,
      'An agent silent this long is shown stale; with none live the adapter is degraded.',
    ),
  })
  .strict()
  .prefault({});
export type AgentsConfig = z.output<typeof agentsConfigSchema>;

export const agentConfigSchema = z
  .object({
    controller: z
      .object({
        url: z
          .string()
          .default('')
          .describe(
            'Base URL of the floodgate API, e.g. https://floodgate.example.net:8443 (empty = report nowhere).',
          ),
        key: z
          .string()
          .default('')
          .describe('The agent key from enrolment (env FLOODGATE_AGENT_KEY overrides; keep the file 0600).'),
        caFile: z
          .string()
          .default('')
          .describe(
            'PEM file of the CA (or self-signed certificate) the controller\u2019s TLS certificate chains to.',
          ),
        timeoutMs: int(100, 120_000, 5000, 'Deadline of one report request.'),
      })
      .strict()
      .prefault({})
      .describe('Where reports go.'),
    capture: z
      .object({
        interface: z
          .string()
          .min(1)
          .max(15)
          .default('eth0')
          .describe('Interface tcpdump captures on (AF_PACKET).'),
        tcpdump: z.string().default('tcpdump').describe('tcpdump binary.'),
        snaplen: int(64, 256, 128, 'Octets kept of each packet (headers; the payload is not needed).'),
        samplingRate: int(1, 1_000_000, 100, 'Sample 1 in N captured packets (random skip with mean N).'),
        direction: z
          .enum(['in', 'inout'])
          .default('in')
          .describe('Packets received only (in) or both directions.'),
        filter: z
          .string()
          .max(1000)
          .default('')
          .describe('Optional BPF filter expression handed to tcpdump.'),
      })
      .strict()
      .prefault({})
      .describe('Packet sampling through tcpdump (libpcap).'),
    reportIntervalMs: int(200, 60_000, 1000, 'How often the agent reports (and reads /proc counters).'),
    samples: z
      .object({
        ringSize: int(16, 100_000, 4096, 'Recent sampled headers kept in memory (all destinations).'),
        maxPerReport: int(
          0,
          MAX_SAMPLES_PER_REPORT,
          500,
          'Headers of attacked targets sent per report at most.',
        ),
      })
      .strict()
      .prefault({})
      .describe('Packet headers sent with reports for the controller\u2019s attack captures.'),
    queue: z
      .object({
        maxReports: int(
          1,
          100_000,
          600,
          'Reports kept while the controller is unreachable; the oldest go first.',
        ),
        flushPerInterval: int(
          1,
          1000,
          5,
          'Queued reports sent per interval once the controller answers again (reports per minute must stay under the controller\u2019s api.rateLimit.max).',
        ),
      })
      .strict()
      .prefault({})
      .describe('Offline queue (memory, bounded).'),
    breaker: z
      .object({
        failures: int(1, 1000, 3, 'Consecutive failed reports that open the circuit breaker.'),
        openMs: int(100, 3_600_000, 2000, 'First wait while open before one trial report.'),
        maxOpenMs: int(
          100,
          3_600_000,
          60_000,
          'Longest wait while open (the wait doubles per failed trial).',
        ),
      })
      .strict()
      .prefault({})
      .describe('Circuit breaker of the report calls.'),
    mitigation: z
      .object({
        enabled: z.boolean().default(true).describe('Apply the mitigations the controller answers with.'),
        allow: z
          .array(z.enum(INTENTS))
          .default(['rate-limit', 'drop', 'blackhole'])
          .describe(
            'Intents this host accepts at all (the controller\u2019s per-agent allow-list applies too). syn-cookies and synproxy also write sysctls (docs/agent.md).',
          ),
        nft: z.string().default('nft').describe('nft binary.'),
        table: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
          .default('floodgate_agent')
          .describe('The inet table the agent owns (emptied at start, removed when its last rule goes).'),
        netns: z
          .string()
          .regex(/^[A-Za-z0-9_.-]*$/)
          .default('')
          .describe('Run nft in this network namespace (ip netns exec); empty = the agent\u2019s own.'),
      })
      .strict()
      .prefault({})
      .describe('Local nftables mitigation (the local adapter, src/adapters/local).'),
  })
  .strict()
  .prefault({});
export type AgentConfig = z.output<typeof agentConfigSchema>;
