// HTTP routes of attack captures, as one self-contained fastify plugin function:
//   GET /api/v1/forensics/captures      captures on disk and ongoing ones (JSON)
//   GET /api/v1/attacks/:id/pcap        one attack's capture (pcapng; an ongoing attack's as it stands)
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { captureName } from './files.js';
import type { ForensicsPorts } from './service.js';

const idParams = z.object({ id: z.string().min(1).max(256) });

export function forensicsRoutes(app: FastifyInstance, ports: ForensicsPorts): void {
  app.get('/api/v1/forensics/captures', async () => ({ captures: await ports.list() }));

  app.get('/api/v1/attacks/:id/pcap', async (req, reply) => {
    const p = idParams.safeParse(req.params);
    if (!p.success) throw new ApiError('invalid_request', `invalid path: ${p.error.issues[0]?.message}`);
    const out = await ports.pcap(p.data.id);
    if (!out) throw new ApiError('not_found', `no capture for attack ${p.data.id}`);
    return reply
      .header('content-type', 'application/x-pcapng')
      .header('content-disposition', `attachment; filename="${captureName(p.data.id)}.pcapng"`)
      .header('x-floodgate-capture', JSON.stringify({ packets: out.info.packets, ended: !!out.info.endedAt }))
      .send(out.data);
  });
}
