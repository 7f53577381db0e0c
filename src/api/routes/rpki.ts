// RPKI: the caches and VRP files in force (status) and route origin validation of one prefix
// (RFC 6811). The data is global, not a tenant's, so both need an unbound token (system:read).
import { z } from 'zod';
import type { ApiPlugin } from '../plugin.js';
import { ApiError, errorResponses } from '../errors.js';

const verdict = z.object({
  prefix: z.string(),
  originAs: z.number(),
  state: z.enum(['valid', 'invalid', 'not-found', 'no-data']),
  matched: z.array(z.string()).describe('VRPs that authorise the route ("203.0.113.0/24-24 AS64500").'),
  covering: z.array(z.string()).describe('Every covering VRP.'),
  detail: z.string(),
});

const unconfigured = () =>
  new ApiError('unavailable', 'RPKI is not configured (rpki section: caches or files)');

export const rpkiRoutes: ApiPlugin = async (app, { ports }) => {
  app.get(
    '/api/v1/rpki/status',
    {
      config: { permission: 'system:read' },
      schema: {
        summary:
          'RPKI caches (state, serial, VRP count, last sync), VRP files (age, errors), the stale alarm',
        tags: ['system'],
        response: { 200: z.unknown(), ...errorResponses('unavailable') },
      },
    },
    async () => {
      if (!ports.rpki) throw unconfigured();
      return ports.rpki.status();
    },
  );

  app.get(
    '/api/v1/rpki/validate',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Route origin validation of a prefix for an origin AS (default: ours)',
        tags: ['system'],
        querystring: z
          .object({
            prefix: z.string().min(1).max(64),
            asn: z.coerce.number().int().min(0).max(4294967295).optional(),
          })
          .strict(),
        response: { 200: verdict, ...errorResponses('invalid_request', 'unavailable') },
      },
    },
    async (req) => {
      const q = req.query as { prefix: string; asn?: number };
      if (!ports.rpki) throw unconfigured();
      const out = ports.rpki.validate(q.prefix, q.asn);
      if (out === undefined) throw new ApiError('invalid_request', 'invalid query: prefix: not an IP prefix');
      return out;
    },
  );
};
