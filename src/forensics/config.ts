// The `forensics:` config section: raw-header ring bounds, per-attack capture caps, retention and disk quota.
import { z } from 'zod';

const int = (min: number, def: number, help: string) => z.number().int().min(min).default(def).describe(help);

export const forensicsConfigSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Keep recent sFlow raw packet headers and write a pcapng capture for each attack. Off by default: the per-sample copy costs sFlow decoding 3–4× (docs/forensics.md), and counting at line rate comes first.',
      ),
    directory: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Where attack captures go (created). Default: a "pcap" folder next to store.sqlitePath, or ./data/pcap.',
      ),
    preAttackSeconds: int(0, 10, 'Seconds of samples before the attack started that its capture includes.'),
    ring: z
      .object({
        samplesPerTarget: int(1, 2000, 'Recent raw header samples kept per destination address.'),
        bytesPerTarget: int(256, 512 * 1024, 'Bytes of raw headers kept per destination address.'),
        maxTargets: int(1, 1024, 'Destination addresses with a ring; the least recently seen is evicted.'),
        totalBytes: int(4096, 64 * 1024 * 1024, 'Bytes of raw headers kept over all targets.'),
      })
      .strict()
      .prefault({})
      .describe('Memory bounds of the recent-samples ring (fed by the sFlow decoder).'),
    capture: z
      .object({
        maxPackets: int(1, 100_000, 'Packets (sampled headers) in one attack capture at most.'),
        maxBytes: int(4096, 32 * 1024 * 1024, 'Bytes of one attack capture file at most.'),
        maxSeconds: int(1, 600, 'Seconds after the attack start during which samples are added.'),
      })
      .strict()
      .prefault({})
      .describe('Caps of each attack capture.'),
    retentionDays: z
      .number()
      .positive()
      .default(30)
      .describe('Captures older than this are deleted (checked when a capture is written).'),
    maxDiskBytes: int(
      65536,
      1024 * 1024 * 1024,
      'Disk quota of all captures: the oldest are deleted to stay under it.',
    ),
  })
  .strict()
  .prefault({});

export type ForensicsConfig = z.output<typeof forensicsConfigSchema>;
