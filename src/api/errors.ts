// One error catalogue for the HTTP API: stable codes, HTTP status, and a message per occurrence.

export const API_ERRORS = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rejected_by_guard: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

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
    return API_ERRORS[this.code];
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
