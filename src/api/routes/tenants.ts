// /api/v1/tenants and /api/v1/policies: who owns which networks, and the escalation policies, guards and
// whitelists (admins and owners). A tenant-bound token sees its own tenant only, and of the guards'
// prefix lists only the entries inside its own networks.
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { principalOf } from '../auth.js';
import { errorResponses } from '../errors.js';
import { jsonObject } from '../schemas.js';

const tenantView = z.object({
  name: z.string(),
  networks: z.array(z.string()),
  maxActiveRules: z.number().int().optional(),
  deploymentsPerWindow: z.number().int().optional(),
});

export const tenantRoutes: ApiPlugin = async (app, { ports }) => {
  app.get(
    '/api/v1/tenants',
    {
      schema: {
        summary: 'Tenants and the networks they own',
        tags: ['tenants'],
        response: { 200: z.object({ tenants: z.array(tenantView) }), ...errorResponses() },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const cfg = ports.mitigation();
      const tenants = Object.entries(cfg.tenants)
        .filter(([name]) => p.tenant === null || name === p.tenant)
        .map(([name, t]) => ({ name, ...t }));
      return { tenants };
    },
  );

  app.get(
    '/api/v1/policies',
    {
      config: { permission: 'policies:read' },
      schema: {
        summary: 'Escalation policies, guards and whitelists',
        tags: ['tenants'],
        response: {
          200: z.object({
            dryRun: z.boolean(),
            defaultPolicy: z.string(),
            hostGroupPolicies: z.record(z.string(), z.string()),
            policies: z.record(z.string(), jsonObject),
            guards: jsonObject,
          }),
          ...errorResponses(),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const cfg = ports.mitigation();
      const tenants = ports.tenants();
      const mine = (cidr: string) => p.tenant === null || tenants.tenantOf(cidr) === p.tenant;
      return {
        dryRun: cfg.dryRun,
        defaultPolicy: cfg.defaultPolicy,
        hostGroupPolicies: cfg.hostGroupPolicies,
        policies: cfg.policies,
        guards: {
          ...cfg.guards,
          allowSpecialPurpose: cfg.guards.allowSpecialPurpose.filter(mine),
          softWhitelist: cfg.guards.softWhitelist.filter((w) => mine(w.cidr)),
        },
      };
    },
  );
};
