// zod schemas for addresses and prefixes, shared by config, API and CLI input (declared once).
import { z } from 'zod';
import { formatPrefix, tryParsePrefix } from './prefix.js';
import { tryParseIp } from './address.js';

/** A prefix or bare address in text; host bits must be clear. Output is the canonical prefix text. */
export const prefixTextSchema = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    const p = tryParsePrefix(s.trim());
    if (!p) {
      const loose = tryParsePrefix(s.trim(), { strict: false });
      ctx.addIssue({
        code: 'custom',
        message: loose
          ? `host bits set in ${JSON.stringify(s)}; did you mean ${formatPrefix(loose)}?`
          : `expected an IPv4/IPv6 prefix such as 203.0.113.0/24 or 2001:db8::/48, found ${JSON.stringify(s)}`,
      });
      return z.NEVER;
    }
    return formatPrefix(p);
  })
  .describe(
    'IPv4 or IPv6 prefix, e.g. "203.0.113.0/24" or "2001:db8::/48" (a bare address is a host route).',
  );

/** An IPv4 or IPv6 address in text. */
export const ipTextSchema = z
  .string()
  .min(1)
  .refine((s) => tryParseIp(s.trim()) !== undefined, { message: 'expected an IPv4 or IPv6 address' })
  .describe('IPv4 or IPv6 address.');
