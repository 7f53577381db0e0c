// Attack captures (pcapng, docs/forensics.md), when forensics is enabled:
//   GET /api/v1/forensics/captures      captures on disk and ongoing ones
//   GET /api/v1/attacks/:id/pcap        one attack's capture (an ongoing attack's as it stands)
// A capture belongs to the tenant owning its target, like its attack: a tenant-bound token lists and
// downloads only those, and another tenant's capture is "not found" (its existence is not revealed).
import { z } from 'zod';
import { captureName } from '../../forensics/files.js';
import { principalOf } from '../auth.js';
import { ApiError, errorResponses } from '../errors.js';
import type { ApiPlugin } from '../plugin.js';

const captureSchema = z
  .object({
    attackId: z.string(),
    target: z.string(),
    family: z.string(),
    startedAt: z.number().describe('Unix ms.'),
    endedAt: z.number().optional().describe('Absent while the attack lasts.'),
    packets: z.number().int(),
    capped: z.number().int().describe('Samples left out by the size/time caps.'),
    exporters: z.array(z.object({ address: z.string(), samplingRate: z.number() })),
    signature: z.unknown(),
    size: z.number().int().optional().describe('File size in bytes, once written.'),
  })
  .describe('An attack capture.');

const idParams = z.object({ id: z.string().min(1).max(256) }).strict();

export const forensicsRoutes: ApiPlugin = async (app, { ports }) => {
  const forensics = ports.forensics;
  if (!forensics) return;
  const visible = (req: Parameters<typeof principalOf>[0], target: string): boolean => {
    const p = principalOf(req);
    return p.tenant === null || ports.tenants().tenantOf(target) === p.tenant;
  };

  app.get(
    '/api/v1/forensics/captures',
    {
      schema: {
        summary: 'List attack captures',
        tags: ['forensics'],
        response: { 200: z.object({ captures: z.array(captureSchema) }), ...errorResponses() },
      },
    },
    async (req) => ({ captures: (await forensics.list()).filter((c) => visible(req, c.target)) }),
  );

  app.get(
    '/api/v1/attacks/:id/pcap',
    {
      schema: {
        summary: "Download an attack's capture (pcapng)",
        tags: ['forensics'],
        params: idParams,
        produces: ['application/x-pcapng'],
        response: { 200: z.any().describe('pcapng file'), ...errorResponses('not_found', 'invalid_request') },
      },
    },
    async (req, reply) => {
      const out = await forensics.pcap(req.params.id);
      if (!out || !visible(req, out.info.target))
        throw new ApiError('not_found', `no capture for attack ${req.params.id}`);
      return reply
        .header('content-type', 'application/x-pcapng')
        .header('content-disposition', `attachment; filename="${captureName(req.params.id)}.pcapng"`)
        .header(
          'x-floodgate-capture',
          JSON.stringify({ packets: out.info.packets, ended: out.info.endedAt !== undefined }),
        )
        .send(out.data);
    },
  );
};
