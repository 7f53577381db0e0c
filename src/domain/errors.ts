// The one error catalogue: every stable error code floodgate answers with, its HTTP status and meaning
// (API_ERRORS), and every code the engine refuses a request with, mapped onto it (REFUSALS). Both tables
// are exhaustive records over closed unions, so a code added without a row fails the build. The engine
// produces RefusalCodes, the API answers ErrorCodes (src/api/errors.ts), the CLI reads them back
// (src/cli/api-client.ts).

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
export type ErrorCode = keyof typeof API_ERRORS;
export const ERROR_CODES = Object.keys(API_ERRORS) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(API_ERRORS, code);
}

/** Codes the engine refuses a manual request with; the safety guards' codes are a subset. */
export type RefusalCode =
  | 'invalid-target'
  | 'invalid-intent'
  | 'invalid-ttl'
  | 'invalid-rate'
  | 'invalid-match'
  | 'invalid-request'
  | 'special-purpose'
  | 'too-broad'
  | 'unknown-tenant'
  | 'outside-tenant'
  | 'rpki-invalid'
  | 'rpki-not-valid'
  | 'duplicate-route'
  | 'not-found';

/** Each engine refusal: the catalogue code it answers with and what it means. */
export const REFUSALS: Readonly<
  Record<RefusalCode, { readonly error: ErrorCode; readonly meaning: string }>
> = {
  'invalid-target': { error: 'invalid_request', meaning: 'The target is not a canonical prefix.' },
  'invalid-intent': { error: 'invalid_request', meaning: 'No such intent.' },
  'invalid-ttl': { error: 'invalid_request', meaning: 'ttlSeconds is not a positive integer.' },
  'invalid-rate': { error: 'invalid_request', meaning: 'The rate is not one a FlowSpec action carries.' },
  'invalid-match': {
    error: 'invalid_request',
    meaning: 'The FlowSpec match does not parse or fit the target.',
  },
  'invalid-request': {
    error: 'invalid_request',
    meaning: 'The request combines fields that exclude each other.',
  },
  'special-purpose': { error: 'rejected_by_guard', meaning: 'The target is private or reserved (RFC 6890).' },
  'too-broad': { error: 'rejected_by_guard', meaning: 'The target is broader than the guard allows.' },
  'unknown-tenant': { error: 'rejected_by_guard', meaning: 'No such tenant.' },
  'outside-tenant': { error: 'rejected_by_guard', meaning: "The target is outside the tenant's networks." },
  'rpki-invalid': {
    error: 'rejected_by_guard',
    meaning: 'RPKI origin validation says the route is invalid.',
  },
  'rpki-not-valid': { error: 'rejected_by_guard', meaning: 'RPKI origin validation could not say valid.' },
  'duplicate-route': { error: 'rejected_by_guard', meaning: 'Another rule already holds this route.' },
  'not-found': { error: 'not_found', meaning: 'No active or queued rule with this id.' },
};

/** HTTP status of an engine refusal. */
export function refusalStatus(code: RefusalCode): number {
  return API_ERRORS[REFUSALS[code].error].status;
}
