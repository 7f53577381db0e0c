// RPKI policy for unicast announcements (blackhole, scrubbing diversion), per announcement kind.
// An RTBH /32 is RPKI-invalid against the customer's /24 ROA with maxLength 24 — the common case —
// so operators choose what to validate: the covering prefix the customer owns (proves the origin is
// authorised for that space) or the announced prefix itself (what upstreams that drop invalids see).
import { z } from 'zod';

export const RPKI_MODES = ['off', 'reject-invalid', 'require-valid'] as const;
export type RpkiMode = (typeof RPKI_MODES)[number];
export type RpkiCheck = 'covering' | 'announced';

const kindPolicy = (mode: RpkiMode, validate: RpkiCheck, what: string) =>
  z
    .object({
      mode: z
        .enum(RPKI_MODES)
        .default(mode)
        .describe(
          'off: no check. reject-invalid: refuse when RPKI-invalid (not-found and no-data pass). require-valid: refuse unless RPKI-valid.',
        ),
      validate: z
        .enum(['covering', 'announced'])
        .default(validate)
        .describe(
          'covering: validate the tenant network that holds the target (the prefix the customer owns). announced: validate the prefix that is announced.',
        ),
    })
    .strict()
    .prefault({})
    .describe(what);

const perKind = z
  .object({
    blackhole: kindPolicy('reject-invalid', 'covering', 'RTBH announcements (host routes with BLACKHOLE).'),
    scrubbing: kindPolicy('reject-invalid', 'announced', 'Scrubbing diversions (the covering /24 or /48).'),
  })
  .strict();

export type RpkiPolicy = z.output<typeof perKind>;

/** `guards.rpki`: a policy per kind, or a single mode for both (shorthand; validates the announced prefix). */
export const rpkiPolicySchema = z
  .preprocess(
    (v) =>
      typeof v === 'string'
        ? { blackhole: { mode: v, validate: 'announced' }, scrubbing: { mode: v, validate: 'announced' } }
        : v,
    perKind.prefault({}),
  )
  .describe(
    'RPKI origin validation before any unicast announcement (RFC 6811), per kind. A single mode ("off", "reject-invalid", "require-valid") applies to both and validates the announced prefix. See docs/engine.md, "RPKI".',
  );
