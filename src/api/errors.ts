// One error catalogue for the HTTP API: stable codes, their HTTP status and meaning, in one typed table.
// Every route answers errors from it, and documents the ones it can answer (errorResponses) so the
// OpenAPI document lists them with the same shape.
import { z } from 'zod';

interface CatalogueEntry {
  readonly status: number;
  readonly description: string;
}

export const API_ERRORS = {
  invalid_request: { status: 400, description: 'The request is malformed: bad JSON, query or body.' },
  unauthorized: { status: 401, description: 'No valid bearer token (Authorization: Bearer <secret>).' },
  forbidden: { status: 403, description: "The token's role or tenant does not allow this." },
  not_found: { status: 404, description: 'No such route or resource (or not visible to this token).' },
  conflict: { status: 409, description: 'The resource exists already (e.g. a token name in use).' },
  rejected_by_guard: {
    status: 422,
    description: 'A safety guard refused the rule or the config (reason in details).',
  },
  config_rejected: {
    status: 422,
    description: 'The config file failed to load or validate; the running config stays.',
  },
  rate_limited: { status: 429, description: "Too many requests for this token's rate limit." },
  internal: { status: 500, description: 'Unexpected failure; the server log says more.' },
  unavailable: { status: 503, description: 'The part this call needs is not configured or not running.' },
} as const satisfies Record<string, CatalogueEntry>;
export type ApiErrorCode = keyof typeof API_ERRORS;
export const API_ERROR_CODES = Object.keys(API_ERRORS) as ApiErrorCode[];

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: unknown;
  constructor(code: ApiErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return API_ERRORS[this.code].status;
  }
  /** fastify reads statusCode off thrown errors (e.g. from the rate-limit plugin). */
  get statusCode(): number {
    return this.status;
  }
  toJSON(): { error: { code: ApiErrorCode; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details !== undefined ? { details: this.details } : {}),
      },
    };
  }
}

/** The body every error answers with. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(API_ERROR_CODES as [ApiErrorCode, ...ApiErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .describe('Error from the catalogue (src/api/errors.ts).');

/** Errors any authenticated route can answer. */
const ALWAYS: readonly ApiErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited', 'internal'];

/** Response schemas for a route's possible errors, keyed by HTTP status, from the catalogue. */
export function errorResponses(...codes: ApiErrorCode[]): Record<number, typeof errorBody> {
  const out: Record<number, typeof errorBody> = {};
  for (const code of [...ALWAYS, ...codes]) {
    const e = API_ERRORS[code];
    out[e.status] = errorBody.describe(`${code}: ${e.description}`);
  }
  return out;
}

/**
 * How engine refusals of a manual rule map onto the catalogue: malformed requests are 400, every
 * guard refusal (special-purpose, too broad, outside the tenant, RPKI...) is 422.
 */
const ENGINE_INVALID = new Set(['invalid-target', 'invalid-intent', 'invalid-ttl', 'invalid-match']);
export function engineRefusal(code: string, reason: string): ApiError {
  return new ApiError(ENGINE_INVALID.has(code) ? 'invalid_request' : 'rejected_by_guard', reason, {
    reason: code,
  });
}
