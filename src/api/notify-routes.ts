// Notification routes: incidents (list, read, acknowledge, resolve), the dead-letter list (read,
// resend), maintenance windows and channel tests. Incidents belong to tenants like attacks do: a
// tenant-bound token sees and handles only its own. Dead letters, channels and maintenance windows
// are operator-wide: reading them needs system:read, changing them an unbound rules:write token.
import { z } from 'zod';
import { actorOf, principalOf, scopeTenant, visibleTo } from './auth.js';
import { ApiError, errorResponses } from './errors.js';
import type { ApiPlugin } from './plugin.js';

const incidentSchema = z
  .looseObject({
    id: z.string(),
    tenant: z.string(),
    subject: z.string().describe('Target prefix, or adapter:/bgp:/exporter:/rpki for infrastructure.'),
    state: z.enum(['open', 'acknowledged', 'resolved']),
    severity: z.enum(['info', 'warning', 'critical']),
    title: z.string(),
    openedAt: z.number(),
    updatedAt: z.number(),
    mitigation: z.string(),
    timeline: z.array(z.looseObject({ at: z.number(), kind: z.string(), text: z.string() })),
  })
  .describe('An incident: related events grouped, with a timeline (docs/notifications.md).');

const incidentsQuery = z
  .object({
    tenant: z.string().min(1).optional(),
    state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
    since: z.coerce.number().finite().nonnegative().optional().describe('Updated at or after (Unix ms).'),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();
const idParams = z.object({ id: z.string().min(1).max(128) });
const operateBody = z
  .object({ by: z.string().min(1).max(100).optional(), note: z.string().max(2000).optional() })
  .strict()
  .nullish();
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
const windowSchema = z.object({
  id: z.string(),
  name: z.string(),
  targets: z.array(z.string()),
  start: z.number(),
  end: z.number(),
  createdBy: z.string(),
});
const ok = z.object({ ok: z.literal(true) });

function operatorWide(p: { tenant: string | null }): void {
  if (p.tenant !== null)
    throw new ApiError('forbidden', 'only a token not bound to a tenant may change this');
}

export const notifyRoutes: ApiPlugin = async (app, { ports }) => {
  const n = ports.notify!.notifier;
  const tags = ['notifications'];

  app.get(
    '/api/v1/incidents',
    {
      schema: {
        summary: 'List incidents, newest update first',
        tags,
        querystring: incidentsQuery,
        response: {
          200: z.object({ incidents: z.array(incidentSchema) }),
          ...errorResponses('invalid_request'),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const tenant = scopeTenant(principalOf(req), q.tenant);
      const incidents = await n.listIncidents({
        ...(tenant !== undefined ? { tenant } : {}),
        ...(q.state !== undefined ? { states: [q.state] } : {}),
        ...(q.since !== undefined ? { since: q.since } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
      return { incidents };
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        summary: 'One incident with its timeline',
        tags,
        params: idParams,
        response: {
          200: z.object({ incident: incidentSchema }),
          ...errorResponses('invalid_request', 'not_found'),
        },
      },
    },
    async (req) => {
      const incident = await n.getIncident(req.params.id);
      if (!incident || !visibleTo(principalOf(req), incident.tenant))
        throw new ApiError('not_found', `no incident ${req.params.id}`);
      return { incident };
    },
  );

  for (const op of ['acknowledge', 'resolve'] as const) {
    app.post(
      `/api/v1/incidents/:id/${op}`,
      {
        config: { permission: 'rules:write' },
        schema: {
          summary: op === 'acknowledge' ? 'Acknowledge an open incident' : 'Resolve an incident',
          tags,
          params: idParams,
          body: operateBody,
          response: {
            200: z.object({ incident: incidentSchema }),
            ...errorResponses('invalid_request', 'not_found', 'conflict'),
          },
        },
      },
      async (req) => {
        const { id } = req.params;
        const current = await n.getIncident(id);
        if (!current || !visibleTo(principalOf(req), current.tenant))
          throw new ApiError('not_found', `no incident ${id}`);
        const out = await n.operate(id, op, req.body?.by ?? actorOf(req), req.body?.note);
        if (out === 'not-found') throw new ApiError('not_found', `no incident ${id}`);
        if (out === 'conflict')
          throw new ApiError(
            'conflict',
            `incident ${id} cannot be ${op === 'acknowledge' ? 'acknowledged' : 'resolved'} in its state`,
          );
        return { incident: out };
      },
    );
  }

  app.get(
    '/api/v1/notifications',
    {
      config: { permission: 'system:read' },
      schema: { summary: 'Notification channels and their counters', tags, response: errorResponses() },
    },
    async () => n.stats(),
  );

  app.get(
    '/api/v1/notifications/dead-letters',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Deliveries that failed after their retries',
        tags,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(10_000).optional() }).strict(),
        response: {
          200: z.object({
            deadLetters: z.array(z.looseObject({ id: z.number(), channel: z.string(), error: z.string() })),
          }),
          ...errorResponses('invalid_request'),
        },
      },
    },
    async (req) => ({ deadLetters: await n.listDeadLetters(req.query.limit) }),
  );

  app.post(
    '/api/v1/notifications/dead-letters/:id/retry',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: 'Resend a dead letter now (removed from the list when it goes through)',
        tags,
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: ok, ...errorResponses('invalid_request', 'not_found', 'unavailable') },
      },
    },
    async (req) => {
      operatorWide(principalOf(req));
      const out = await n.retryDeadLetter(req.params.id);
      if (!out) throw new ApiError('not_found', `no dead letter ${req.params.id}`);
      if (!out.ok) throw new ApiError('unavailable', `resend failed: ${out.error}`);
      return { ok: true as const };
    },
  );

  app.post(
    '/api/v1/notifications/channels/:name/test',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: 'Send a test message to one channel, past filters and limits',
        tags,
        params: z.object({ name: z.string().min(1).max(100) }),
        response: { 200: ok, ...errorResponses('invalid_request', 'not_found', 'unavailable') },
      },
    },
    async (req) => {
      operatorWide(principalOf(req));
      const out = await n.test(req.params.name);
      if (!out) throw new ApiError('not_found', `no channel ${req.params.name}`);
      if (!out.ok) throw new ApiError('unavailable', `test failed: ${out.error}`);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/maintenance',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Maintenance windows (config and API-made)',
        tags,
        response: { 200: z.object({ windows: z.array(windowSchema) }), ...errorResponses() },
      },
    },
    async () => ({ windows: n.windows() }),
  );

  app.post(
    '/api/v1/maintenance',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: 'Add a maintenance window (notices for its targets are recorded, not sent)',
        tags,
        body: windowBody,
        response: { 201: z.object({ window: windowSchema }), ...errorResponses('invalid_request') },
      },
    },
    async (req, reply) => {
      operatorWide(principalOf(req));
      const w = req.body;
      const made = await n.addWindow({
        name: w.name,
        targets: w.targets,
        start: Date.parse(w.start),
        end: Date.parse(w.end),
        createdBy: actorOf(req),
      });
      return reply.status(201).send({ window: made });
    },
  );

  app.delete(
    '/api/v1/maintenance/:id',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: 'Remove an API-made maintenance window',
        tags,
        params: idParams,
        response: { 200: ok, ...errorResponses('invalid_request', 'not_found') },
      },
    },
    async (req) => {
      operatorWide(principalOf(req));
      if (!(await n.removeWindow(req.params.id)))
        throw new ApiError('not_found', `no API-made maintenance window ${req.params.id}`);
      return { ok: true as const };
    },
  );
};
