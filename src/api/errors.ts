// The HTTP API's side of the one error catalogue (src/domain/errors.ts): every route answers errors as
// ApiError with a catalogue code, and documents the ones it can answer (errorResponses) so the OpenAPI
// document lists them with the same shape. An error made from another one keeps it as its cause.
import { z } from 'zod';
import { API_ERRORS, ERROR_CODES, type ErrorCode, REFUSALS, type RefusalCode } from '../domain/errors.js';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
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
  toJSON(): { error: { code: ErrorCode; message: string; details?: unknown } } {
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
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .describe('Error from the catalogue (src/api/errors.ts).');

/** Errors any authenticated route can answer. */
const ALWAYS: readonly ErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited', 'internal'];

/** Response schemas for a route's possible errors, keyed by HTTP status, from the catalogue. */
export function errorResponses(...codes: ErrorCode[]): Record<number, typeof errorBody> {
  const out: Record<number, typeof errorBody> = {};
  for (const code of [...ALWAYS, ...codes]) {
    const e = API_ERRORS[code];
    out[e.status] = errorBody.describe(`${code}: ${e.description}`);
  }
  return out;
}

/** An engine refusal of a manual request → its catalogue code (REFUSALS), the engine's code as a detail. */
export function engineRefusal(code: RefusalCode, reason: string): ApiError {
  return new ApiError(REFUSALS[code].error, reason, { reason: code });
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
  const [code, message] = frameworkCode(err);
  return new ApiError(code, message, details, { cause: err });
}

function frameworkCode(err: { statusCode?: number; code?: string; message: string }): [ErrorCode, string] {
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return ['invalid_request', 'invalid path: bad percent-encoding in the URL'];
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return ['uri_too_long', 'invalid path: a path parameter is longer than allowed'];
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ['payload_too_large', `invalid body: ${err.message}`];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return [
        err.statusCode === 415 ? 'unsupported_media_type' : 'invalid_request',
        `invalid body: ${err.message}`,
      ];
    default:
      if (err.code?.startsWith('FST_ERR_CTP_')) return ['invalid_request', `invalid body: ${err.message}`];
      return ['invalid_request', err.message];
  }
}
