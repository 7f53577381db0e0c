// Notification routes: incidents (list, read, acknowledge, resolve), the dead-letter list (read,
// resend), maintenance windows and channel tests. Writes need the API token like every write.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { NotifyPort } from '../notify/index.js';
import { ApiError } from './errors.js';

const incidentsQuery = z
  .object({
    tenant: z.string().min(1).optional(),
    state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
    since: z.coerce.number().finite().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();
const idParam = z.object({ id: z.string().min(1).max(128) });
const operateBody = z
  .object({ by: z.string().min(1).max(100).optional(), note: z.string().max(2000).optional() })
  .strict()
  .optional();
const windowBody = z
  .object({
    name: z.string().min(1).max(200),
    targets: z.array(z.string().min(1).max(100)).min(1).max(100),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  })
  .strict()
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), {
    message: 'end must be after start',
    path: ['end'],
  });

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new ApiError(
      'invalid_request',
      `invalid ${where}: ` +
        r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  return r.data;
}

export const notifyRoutes: FastifyPluginAsync<{ notify: NotifyPort }> = async (app, { notify }) => {
  const n = notify.notifier;

  app.get('/api/v1/incidents', async (req) => {
    const q = parse(incidentsQuery, req.query, 'query');
    const incidents = await n.listIncidents({
      ...(q.tenant !== undefined ? { tenant: q.tenant } : {}),
      ...(q.state !== undefined ? { states: [q.state] } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return { incidents };
  });

  app.get('/api/v1/incidents/:id', async (req) => {
    const { id } = parse(idParam, req.params, 'path');
    const incident = await n.getIncident(id);
    if (!incident) throw new ApiError('not_found', `no incident ${id}`);
    return { incident };
  });

  for (const op of ['acknowledge', 'resolve'] as const) {
    app.post(`/api/v1/incidents/:id/${op}`, async (req) => {
      const { id } = parse(idParam, req.params, 'path');
      const body = parse(operateBody, req.body ?? undefined, 'body');
      const out = await n.operate(id, op, body?.by ?? `api:${req.ip}`, body?.note);
      if (out === 'not-found') throw new ApiError('not_found', `no incident ${id}`);
      if (out === 'conflict')
        throw new ApiError(
          'conflict',
          `incident ${id} cannot be ${op === 'acknowledge' ? 'acknowledged' : 'resolved'} in its state`,
        );
      return { incident: out };
    });
  }

  app.get('/api/v1/notifications', async () => n.stats());

  app.get('/api/v1/notifications/dead-letters', async (req) => {
    const { limit } = parse(
      z.object({ limit: z.coerce.number().int().min(1).max(10_000).optional() }).strict(),
      req.query,
      'query',
    );
    return { deadLetters: await n.listDeadLetters(limit) };
  });

  app.post('/api/v1/notifications/dead-letters/:id/retry', async (req) => {
    const { id } = parse(z.object({ id: z.coerce.number().int().positive() }), req.params, 'path');
    const out = await n.retryDeadLetter(id);
    if (!out) throw new ApiError('not_found', `no dead letter ${id}`);
    if (!out.ok) throw new ApiError('unavailable', `resend failed: ${out.error}`);
    return { ok: true };
  });

  app.post('/api/v1/notifications/channels/:name/test', async (req) => {
    const { name } = parse(z.object({ name: z.string().min(1).max(100) }), req.params, 'path');
    const out = await n.test(name);
    if (!out) throw new ApiError('not_found', `no channel ${name}`);
    if (!out.ok) throw new ApiError('unavailable', `test failed: ${out.error}`);
    return { ok: true };
  });

  app.get('/api/v1/maintenance', async () => ({ windows: n.windows() }));

  app.post('/api/v1/maintenance', async (req, reply) => {
    const w = parse(windowBody, req.body, 'body');
    const made = await n.addWindow({
      name: w.name,
      targets: w.targets,
      start: Date.parse(w.start),
      end: Date.parse(w.end),
      createdBy: `api:${req.ip}`,
    });
    return reply.status(201).send({ window: made });
  });

  app.delete('/api/v1/maintenance/:id', async (req) => {
    const { id } = parse(idParam, req.params, 'path');
    if (!(await n.removeWindow(id))) throw new ApiError('not_found', `no API-made maintenance window ${id}`);
    return { ok: true };
  });
};
