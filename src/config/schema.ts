// The one floodgate.yaml schema, composed from each concern's own section.
import { z } from 'zod';
import { daemonAdaptersSchema } from '../adapters/config-daemons.js';
import { servicesConfigSchema } from '../adapters/config-services.js';
import { bgpConfigSchema } from '../bgp/config.js';
import { clusterSchema, leadershipWanted } from '../cluster/config.js';
import { detectionConfigSchema } from '../detect/config.js';
import { protectedNetworks } from '../domain/tenants.js';
import { exportsConfigSchema } from '../export/config.js';
import { forensicsConfigSchema } from '../forensics/config.js';
import { agentConfigSchema, agentsConfigSchema } from '../agent/config.js';
import { mitigationConfigSchema } from '../mitigation/config.js';
import { notificationsConfigSchema, statusPagesConfigSchema } from '../notify/config.js';
import { rpkiConfigSchema } from '../rpki/config.js';
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
    rpki: rpkiConfigSchema,
    bgp: bgpConfigSchema
      .prefault({})
      .describe('The native BGP speaker: floodgate peers with your routers itself.'),
    adapters: z
      .object({ ...daemonAdaptersSchema.shape, ...servicesConfigSchema.shape })
      .strict()
      .prefault({})
      .describe('Other mitigation targets: BGP daemons, scrubbing services, webhook, local nftables.'),
    notifications: notificationsConfigSchema.describe(
      'Alerts and incidents: PagerDuty, Slack, Discord, Teams, Opsgenie, Telegram, email, webhook (docs/notifications.md).',
    ),
    statusPages: statusPagesConfigSchema.describe(
      'Public status pages per tenant at /status/<tenant>, opt-in, no login (docs/status-pages.md).',
    ),
    exports: exportsConfigSchema,
    forensics: forensicsConfigSchema.describe(
      'Attack captures (pcapng) from the raw packet headers sFlow already carries.',
    ),
    agents: agentsConfigSchema.describe('Host agents reporting to this floodgate (docs/agent.md).'),
    agent: agentConfigSchema.describe(
      '`floodgate agent` on a server: packet sampling, reports to the controller, local nftables (docs/agent.md).',
    ),
    cluster: clusterSchema.describe(
      'Scale-out (docs/scale-out.md): roles over NATS JetStream, one active engine elected in PostgreSQL.',
    ),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.cluster.role !== 'all' && c.cluster.nats.servers.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'nats', 'servers'],
        message: `required for cluster.role ${c.cluster.role}: the roles talk through NATS JetStream`,
      });
    if (leadershipWanted(c.cluster) && c.store.driver !== 'postgres')
      ctx.addIssue({
        code: 'custom',
        path: ['store', 'driver'],
        message:
          'must be postgres when an engine is elected (cluster.role engine or cluster.leadership.enabled)',
      });
    // origin validation needs the AS our announcements carry; with no speaker there is no default
    if ((c.rpki.caches.length || c.rpki.files.length) && c.rpki.originAs === undefined && !c.bgp.enabled)
      ctx.addIssue({
        code: 'custom',
        path: ['rpki', 'originAs'],
        message:
          'required when rpki caches or files are configured and the native BGP speaker (bgp.localAs) is off: the AS your blackhole and scrubbing announcements carry',
      });
  })
  .transform((c) => {
    // One tenant → networks map (src/domain/tenants.ts). With no tenants configured, everything in
    // detection.networks belongs to one "default" tenant, so a newcomer declares their networks once;
    // with tenants configured, detection protects the union of detection.networks and their networks.
    if (Object.keys(c.mitigation.tenants).length === 0) {
      return c.detection.networks.length > 0
        ? {
            ...c,
            mitigation: { ...c.mitigation, tenants: { default: { networks: [...c.detection.networks] } } },
          }
        : c;
    }
    return {
      ...c,
      detection: { ...c.detection, networks: protectedNetworks(c.detection.networks, c.mitigation.tenants) },
    };
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
