// /api/v1/attacks: attacks and their newest event. An attack belongs to the tenant owning its target
// (src/domain/tenants.ts); a tenant-bound token sees only those.
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { principalOf } from '../auth.js';
import { errorResponses } from '../errors.js';
import { attackSchema } from '../schemas.js';

const ms = z.coerce.number().finite().nonnegative();

export const attacksQuery = z
  .object({
    active: z.enum(['true', 'false']).optional(),
    target: z.string().min(1).optional(),
    since: ms.optional().describe('Started at or after (Unix ms).'),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const attacksRoutes: ApiPlugin = async (app, { ports }) => {
  app.get(
    '/api/v1/attacks',
    {
      schema: {
        summary: 'List attacks',
        tags: ['attacks'],
        querystring: attacksQuery,
        response: { 200: z.object({ attacks: z.array(attackSchema) }), ...errorResponses('invalid_request') },
      },
    },
    async (req) => {
      const q = req.query;
      const p = principalOf(req);
      const limit = q.limit ?? 1000;
      const attacks = await ports.attacks.list({
        ...(q.active !== undefined ? { active: q.active === 'true' } : {}),
        ...(q.target !== undefined ? { target: q.target } : {}),
        ...(q.since !== undefined ? { since: q.since } : {}),
        // the store knows targets, not tenants: filter a full page, then cut
        limit: p.tenant === null ? limit : 10_000,
      });
      if (p.tenant === null) return { attacks };
      const tenants = ports.tenants();
      return { attacks: attacks.filter((a) => tenants.tenantOf(a.target) === p.tenant).slice(0, limit) };
    },
  );
};
