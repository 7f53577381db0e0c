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
  payload_too_large: { status: 413, description: 'The request body is larger than the API accepts.' },
  uri_too_long: { status: 414, description: 'A path parameter is longer than allowed.' },
  unsupported_media_type: { status: 415, description: 'The body is not JSON (Content-Type).' },
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
const ENGINE_INVALID = new Set([
  'invalid-target',
  'invalid-intent',
  'invalid-ttl',
  'invalid-match',
  'invalid-rate',
]);
export function engineRefusal(code: string, reason: string): ApiError {
  return new ApiError(ENGINE_INVALID.has(code) ? 'invalid_request' : 'rejected_by_guard', reason, {
    reason: code,
  });
}

/** Where a request input came from, named in every validation message. */
export type InputPart = 'query' | 'path' | 'body';

/** One validation issue as the API reports it: the part of the request, the key path, what is wrong. */
export interface InputIssue {
  readonly in: InputPart;
  readonly path: string;
  readonly message: string;
}

/** A zod-style issue list → the catalogue's invalid_request, each issue naming the request part it is in. */
export function invalidInput(
  part: InputPart,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ApiError {
  const list: InputIssue[] = issues.map((i) => ({
    in: part,
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  return new ApiError(
    'invalid_request',
    `invalid ${part}: ` + list.map((i) => `${i.path || '(top level)'}: ${i.message}`).join('; '),
    list,
  );
}

/** A key given twice in a query string arrives as a list; say so rather than "expected number, received NaN". */
export function repeatedQueryKeys(query: unknown): ApiError | undefined {
  if (!query || typeof query !== 'object') return undefined;
  const repeated = Object.entries(query).filter(([, v]) => Array.isArray(v));
  if (repeated.length === 0) return undefined;
  return invalidInput(
    'query',
    repeated.map(([k]) => ({ path: [k], message: 'given more than once; give it once' })),
  );
}

/** Fastify's own errors (routing, body parsing, limits) → the catalogue, with fastify's code as a detail. */
export function frameworkError(err: { statusCode?: number; code?: string; message: string }): ApiError {
  const details = err.code ? { fastifyCode: err.code } : undefined;
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return new ApiError('invalid_request', 'invalid path: bad percent-encoding in the URL', details);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('uri_too_long', 'invalid path: a path parameter is longer than allowed', details);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', `invalid body: ${err.message}`, details);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(
        err.statusCode === 415 ? 'unsupported_media_type' : 'invalid_request',
        `invalid body: ${err.message}`,
        details,
      );
    default:
      if (err.code?.startsWith('FST_ERR_CTP_'))
        return new ApiError('invalid_request', `invalid body: ${err.message}`, details);
      return new ApiError('invalid_request', err.message, details);
  }
}
