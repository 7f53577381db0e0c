// The one floodgate.yaml schema, composed from each concern's own section.
import { z } from 'zod';
import { daemonAdaptersSchema } from '../adapters/config-daemons.js';
import { servicesConfigSchema } from '../adapters/config-services.js';
import { bgpConfigSchema } from '../bgp/config.js';
import { detectionConfigSchema } from '../detect/config.js';
import { forensicsConfigSchema } from '../forensics/config.js';
import { mitigationConfigSchema } from '../mitigation/config.js';
import { apiSchema, flowSchema, logSchema, nodeSchema, storeSchema } from './core.js';

export const configSchema = z
  .object({
    node: nodeSchema,
    log: logSchema,
    store: storeSchema,
    api: apiSchema,
    flow: flowSchema,
    detection: detectionConfigSchema.prefault({}),
    mitigation: mitigationConfigSchema.prefault({}),
    bgp: bgpConfigSchema
      .prefault({})
      .describe('The native BGP speaker: floodgate peers with your routers itself.'),
    adapters: z
      .object({ ...daemonAdaptersSchema.shape, ...servicesConfigSchema.shape })
      .strict()
      .prefault({})
      .describe('Other mitigation targets: BGP daemons, scrubbing services, webhook, local nftables.'),
    forensics: forensicsConfigSchema.describe(
      'Attack captures (pcapng) from the raw packet headers sFlow already carries.',
    ),
  })
  .strict()
  .transform((c) =>
    // With no tenants configured, everything in detection.networks belongs to one "default" tenant,
    // so a newcomer declares their networks once.
    Object.keys(c.mitigation.tenants).length === 0 && c.detection.networks.length > 0
      ? {
          ...c,
          mitigation: { ...c.mitigation, tenants: { default: { networks: [...c.detection.networks] } } },
        }
      : c,
  );

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
