// The `cluster` config section (docs/scale-out.md): which roles this process plays, the NATS JetStream
// data path between roles, and leadership of the engine in PostgreSQL. The defaults keep today's single
// process: every role in one process, no NATS, no election.
import { z } from 'zod';

export const CLUSTER_ROLES = ['all', 'collector', 'detector', 'engine'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export const clusterSchema = z
  .object({
    role: z
      .enum(CLUSTER_ROLES)
      .default('all')
      .describe(
        'all: receive, detect and mitigate in this process (no NATS). collector: receive, decode, pre-aggregate and publish flows to NATS. detector: count the shards it leases and publish attack events. engine: the mitigation runner, active on the elected leader only.',
      ),
    nats: z
      .object({
        servers: z
          .array(z.string().min(1))
          .default([])
          .describe('NATS servers (host:port), JetStream enabled. Required for every role but all.'),
        flowStream: z.string().min(1).default('FG_FLOWS').describe('JetStream stream of flow batches.'),
        eventStream: z
          .string()
          .min(1)
          .default('FG_EVENTS')
          .describe('JetStream stream of attack events (detectors → engine).'),
        subjectPrefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
          .default('floodgate')
          .describe('Subjects are <prefix>.flows.<shard> and <prefix>.events.<node>.'),
        shards: z
          .number()
          .int()
          .min(1)
          .max(1024)
          .default(16)
          .describe(
            'Number of destination shards. Fixed for the life of the stream: every collector and detector must agree.',
          ),
        shardPrefixLength4: z
          .number()
          .int()
          .min(0)
          .max(32)
          .default(24)
          .describe(
            'IPv4 destinations are sharded by this prefix (keep it ≥ the detection prefix length so a prefix is counted whole).',
          ),
        shardPrefixLength6: z
          .number()
          .int()
          .min(0)
          .max(128)
          .default(48)
          .describe('IPv6 destinations are sharded by this prefix.'),
        flushMs: z
          .number()
          .int()
          .min(10)
          .max(5000)
          .default(250)
          .describe('Collector: publish the pre-aggregated batch of each shard at least this often.'),
        maxInFlight: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(256)
          .describe(
            'Collector: acknowledged publishes outstanding at once; beyond it batches are dropped and counted (the gap is reported, never hidden).',
          ),
        maxAgeSeconds: z
          .number()
          .int()
          .min(10)
          .default(300)
          .describe('Flow and event streams keep messages this long when nobody consumes them.'),
      })
      .strict()
      .prefault({}),
    leadership: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Elect one active engine in PostgreSQL (store.driver postgres): advisory lock + fencing token. On by itself for role engine.',
          ),
        leaseMs: z
          .number()
          .int()
          .min(500)
          .default(5000)
          .describe(
            'A leader that has not renewed for this long is deposed by a standby (its sessions are terminated).',
          ),
        pollMs: z
          .number()
          .int()
          .min(50)
          .default(500)
          .describe('How often the leader renews and a standby tries the lock.'),
      })
      .strict()
      .prefault({}),
    detectorLeaseMs: z
      .number()
      .int()
      .min(500)
      .default(5000)
      .describe(
        'A detector that has not renewed its shard leases for this long loses them to the live detectors.',
      ),
  })
  .strict()
  .prefault({});

export type ClusterConfig = z.output<typeof clusterSchema>;

/** Leadership is needed whenever an engine may run beside another. */
export function leadershipWanted(c: ClusterConfig): boolean {
  return c.role === 'engine' || c.leadership.enabled;
}

export function usesNats(c: ClusterConfig): boolean {
  return c.role !== 'all';
}

/** A cluster node is built at all: NATS roles, or leadership beside other engines. */
export function clusterWanted(c: ClusterConfig): boolean {
  return usesNats(c) || leadershipWanted(c);
}
