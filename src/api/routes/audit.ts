// /api/v1/audit: the append-only audit log with filters, and verification of its hash chain. A
// tenant-bound token reads only its tenant's records; verification covers the whole log and so needs
// an unbound token.
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { principalOf, scopeTenant } from '../auth.js';
import { errorResponses } from '../errors.js';
import { auditRecordSchema, verificationSchema } from '../schemas.js';
import { AUDIT_ACTIONS } from '../../domain/audit.js';

const ms = z.coerce.number().finite().nonnegative();

export const auditQuery = z
  .object({
    tenant: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    ruleId: z.string().min(1).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    since: ms.optional(),
    until: ms.optional(),
    afterId: z.coerce
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Page forward: records after this id, oldest first.'),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const auditRoutes: ApiPlugin = async (app, { ports }) => {
  app.get(
    '/api/v1/audit',
    {
      schema: {
        summary: 'Query the audit log',
        tags: ['audit'],
        querystring: auditQuery,
        response: {
          200: z.object({ records: z.array(auditRecordSchema) }),
          ...errorResponses('invalid_request'),
        },
      },
    },
    async (req) => {
      const tenant = scopeTenant(principalOf(req), req.query.tenant);
      return {
        records: await ports.audit.query({ ...req.query, ...(tenant !== undefined ? { tenant } : {}) }),
      };
    },
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { permission: 'system:read' },
      schema: {
        summary: 'Verify the audit hash chain',
        description:
          'Walks every record and checks each SHA-256 link: any edited, deleted, reordered or unchained record is reported. 200 with ok=false when the log was tampered with.',
        tags: ['audit'],
        response: { 200: verificationSchema, ...errorResponses() },
      },
    },
    async () => ports.audit.verify(),
  );
};
