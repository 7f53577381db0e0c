// The `rpki:` config section: where VRPs come from (RTR caches, VRP files or URLs) and how fresh
// they must be. The policy (what to do with the verdict) is `mitigation.guards.rpki`.
import { z } from 'zod';

const cache = z
  .object({
    host: z.string().min(1).describe('RTR cache address (stayrtr, Routinator, rpki-client + rtrd, FORT...).'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(323)
      .describe('RTR port (RFC 8210 §9: 323; stayrtr uses 8282).'),
    version: z
      .union([z.literal(0), z.literal(1)])
      .default(1)
      .describe('Highest RTR version to offer: 1 (RFC 8210); a version-0 cache makes floodgate step down.'),
  })
  .strict();

const file = z
  .object({
    path: z
      .string()
      .min(1)
      .optional()
      .describe('Local VRP file (rpki-client json, Routinator json/jsonext, Cloudflare rpki.json).'),
    url: z
      .string()
      .url()
      .optional()
      .describe(
        'HTTP(S) URL of a VRP file; fetched with ETag / If-Modified-Since so an unchanged file is not re-read.',
      ),
    refreshSeconds: z.number().int().min(1).default(300).describe('How often the file or URL is checked.'),
  })
  .strict()
  .refine((f) => (f.path === undefined) !== (f.url === undefined), {
    message: 'give exactly one of path or url',
  });

export const rpkiConfigSchema = z
  .object({
    caches: z
      .array(cache)
      .default([])
      .describe(
        'RTR caches in order of preference (RFC 8210 §10): the most preferred one in sync is used; the others stand by.',
      ),
    files: z.array(file).default([]).describe('VRP files or URLs; their VRPs are added to the RTR data.'),
    maxRefreshSeconds: z
      .number()
      .int()
      .min(1)
      .default(600)
      .describe('Poll an RTR cache at least this often even when its End of Data asks for longer.'),
    staleAfterSeconds: z
      .number()
      .int()
      .min(1)
      .default(7200)
      .describe(
        'A VRP file or URL whose data is older than this raises the stale-data alarm (RTR data expires by its own expire timer).',
      ),
    originAs: z
      .number()
      .int()
      .min(1)
      .max(4294967295)
      .optional()
      .describe(
        'The origin AS our unicast announcements carry, validated against the VRPs. Default: bgp.localAs (the native speaker\u2019s AS).',
      ),
  })
  .strict()
  .prefault({})
  .describe('RPKI origin validation data (RFC 6811) for blackhole and scrubbing announcements.');

export type RpkiConfig = z.output<typeof rpkiConfigSchema>;
