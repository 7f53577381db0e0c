// Validate stage: the guards every rule passes right before it is sent, whatever its path (auto, manual,
// API, restore, config reload): deploy() in deploy.ts is the one place a new or replacing rule is
// announced and it calls validateRule there (retries resend that validated rule; a restored rule is
// validated again, a config reload re-validates every standing rule). Special-purpose targets: RFC 6890
// registries (src/net/special.ts); RPKI origin validation: RFC 6811, before any unicast announcement.
import type { RefusalCode } from '../domain/errors.js';
import { INTENT_KIND, type Rule } from '../domain/rule.js';
import { TenantMap } from '../domain/tenants.js';
import { float32RateProblem } from '../flowspec/actions.js';
import { validateFlowSpec } from '../flowspec/validate.js';
import {
  type Prefix,
  formatPrefix,
  prefixContains,
  prefixOverlaps,
  specialPurposeEntry,
  tryParsePrefix,
} from '../net/index.js';
import type { MitigationConfig } from './config.js';
import { DISCARDS, wireRateBytes } from './intents.js';
import type { OriginValidator } from './types.js';

/** The refusals a guard gives (the catalogue, src/domain/errors.ts, says what each means). */
export type GuardCode = Extract<
  RefusalCode,
  | 'invalid-target'
  | 'special-purpose'
  | 'too-broad'
  | 'unknown-tenant'
  | 'outside-tenant'
  | 'invalid-match'
  | 'rpki-invalid'
  | 'rpki-not-valid'
>;

export interface GuardContext {
  readonly cfg: MitigationConfig;
  /** The one tenant → networks map (src/domain/tenants.ts). */
  readonly tenants: TenantMap;
  readonly allowSpecial: readonly Prefix[];
  readonly whitelist: readonly { readonly prefix: Prefix; readonly rateBitsPerSecond: number }[];
  readonly validateOrigin: OriginValidator;
}

export const unknownOrigin: OriginValidator = () => 'unknown';

export function compileGuards(
  cfg: MitigationConfig,
  validateOrigin: OriginValidator = unknownOrigin,
): GuardContext {
  const parse = (s: string): Prefix | undefined => tryParsePrefix(s);
  return {
    cfg,
    tenants: new TenantMap(cfg.tenants),
    allowSpecial: cfg.guards.allowSpecialPurpose.map(parse).filter((p): p is Prefix => p !== undefined),
    whitelist: cfg.guards.softWhitelist.flatMap((w) => {
      const prefix = parse(w.cidr);
      return prefix ? [{ prefix, rateBitsPerSecond: w.rateBitsPerSecond }] : [];
    }),
    validateOrigin,
  };
}

/** Tenant whose network (longest match) holds the prefix. */
export function tenantOf(ctx: GuardContext, prefix: Prefix): string | undefined {
  return ctx.tenants.tenantOf(prefix);
}

export type GuardResult =
  | { readonly ok: true; readonly rule: Rule; readonly note?: string }
  | { readonly ok: false; readonly code: GuardCode; readonly reason: string };

function reject(code: GuardCode, reason: string): GuardResult {
  return { ok: false, code, reason };
}

/** Target checks shared by every intent: parse, special-purpose, breadth, tenant. */
export function checkTarget(ctx: GuardContext, tenant: string, target: string): GuardResult | Prefix {
  const p = tryParsePrefix(target);
  if (p === undefined)
    return reject('invalid-target', `target ${JSON.stringify(target)} is not a canonical prefix`);
  const special = specialPurposeEntry(p);
  if (special !== undefined && !ctx.allowSpecial.some((a) => prefixContains(a, p))) {
    return reject(
      'special-purpose',
      `${target} is in ${formatPrefix(special.prefix)} (${special.name}, ${special.rfc}): private/reserved targets are rejected`,
    );
  }
  const broadest = p.family === 4 ? ctx.cfg.guards.maxPrefixLength.v4 : ctx.cfg.guards.maxPrefixLength.v6;
  if (p.length < broadest) {
    return reject(
      'too-broad',
      `${target} is broader than /${broadest}: nothing broader than /${broadest} is announced`,
    );
  }
  if (tenant === '-') return reject('outside-tenant', `${target} is outside the networks of every tenant`);
  const nets = ctx.tenants.prefixesOf(tenant);
  if (nets === undefined) return reject('unknown-tenant', `tenant "${tenant}" is not configured`);
  if (!nets.some((n) => prefixContains(n, p))) {
    return reject('outside-tenant', `${target} is outside the networks of tenant "${tenant}"`);
  }
  return p;
}

function checkMatch(rule: Rule): string | undefined {
  const m = rule.match;
  if (m.family !== rule.family) return 'match family differs from the target family';
  if (m.destination?.prefix !== rule.target) return 'match destination differs from the target';
  // FlowSpec fails closed (STYLE.md rule 4): an invalid component rejects the rule, nothing is dropped.
  const issues = validateFlowSpec(m);
  if (issues.length > 0) return issues.map((i) => i.message).join('; ');
  if (
    rule.rateBytesPerSecond !== undefined &&
    !(rule.rateBytesPerSecond >= 0 && Number.isFinite(rule.rateBytesPerSecond))
  )
    return 'rate is not a finite rate';
  // A rate-limit must mean what it says: never 0 (a discard) nor a rate the 32-bit float cannot hold.
  for (const a of rule.actions) {
    if (a.kind !== 'traffic-rate-bytes' && a.kind !== 'traffic-rate-packets') continue;
    const v = a.kind === 'traffic-rate-bytes' ? a.bytesPerSecond : a.packetsPerSecond;
    const problem = float32RateProblem(v);
    if (problem !== undefined) return problem;
    if (rule.intent === 'rate-limit' && Math.fround(v) === 0)
      return 'a rate-limit of 0 is a discard: give a rate above 0';
  }
  if (
    rule.intent === 'rate-limit' &&
    !(rule.rateBytesPerSecond !== undefined && rule.rateBytesPerSecond >= 1)
  )
    return 'a rate-limit needs a rate of at least 1 byte/s (8 bit/s)';
  return undefined;
}

/**
 * Soft-whitelist: on a target overlapping a whitelisted CIDR the CIDR's rate is a floor no rule goes
 * below. A discarding intent (drop, blackhole, geo-lockdown) or a scrubbing diversion becomes a rate-limit
 * at that rate; a rate-limit below it is raised to it. The lowest rate of the overlapping CIDRs applies.
 */
function softWhitelist(ctx: GuardContext, rule: Rule, p: Prefix): { rule: Rule; note: string } | undefined {
  const converts = DISCARDS[rule.intent] || rule.intent === 'scrubbing';
  if (!converts && rule.intent !== 'rate-limit') return undefined;
  let rate = Infinity;
  let cidr = '';
  for (const w of ctx.whitelist) {
    if (prefixOverlaps(w.prefix, p) && w.rateBitsPerSecond < rate) {
      rate = w.rateBitsPerSecond;
      cidr = formatPrefix(w.prefix);
    }
  }
  if (rate === Infinity) return undefined;
  const bytes = wireRateBytes(rate);
  const action = {
    kind: 'traffic-rate-bytes' as const,
    asn: ctx.cfg.flowspec.rateAsn,
    bytesPerSecond: bytes,
  };
  if (!converts) {
    if ((rule.rateBytesPerSecond ?? 0) >= bytes) return undefined;
    return {
      rule: { ...rule, actions: [action], rateBytesPerSecond: bytes },
      note: `soft-whitelist ${cidr}: rate-limit raised to its floor of ${rate} bit/s`,
    };
  }
  const keepMatch = INTENT_KIND[rule.intent] === 'flowspec';
  const { communities: _c, largeCommunities: _l, peers: _p, allowCountries: _a, nextHop: _n, ...rest } = rule;
  return {
    rule: {
      ...rest,
      intent: 'rate-limit',
      match: keepMatch ? rule.match : { family: rule.family, destination: { prefix: rule.target } },
      actions: [action],
      rateBytesPerSecond: bytes,
    },
    note: `soft-whitelist ${cidr}: ${rule.intent} converted to rate-limit at ${rate} bit/s`,
  };
}

/** Every guard, in order. The returned rule is the one to send (the soft-whitelist may have converted it). */
export function validateRule(ctx: GuardContext, rule: Rule): GuardResult {
  const p = checkTarget(ctx, rule.tenant, rule.target);
  if (!('family' in p && 'bytes' in p)) return p;
  const bad = checkMatch(rule);
  if (bad !== undefined) return reject('invalid-match', `${rule.target}: ${bad}`);
  const converted = softWhitelist(ctx, rule, p);
  const out = converted?.rule ?? rule;
  const notes = converted ? [converted.note] : [];
  if (INTENT_KIND[out.intent] === 'unicast') {
    const rpki = checkOrigin(ctx, out);
    if (rpki && !rpki.ok) return rpki;
    if (rpki?.ok) notes.push(rpki.note);
  }
  return notes.length ? { ok: true, rule: out, note: notes.join('; ') } : { ok: true, rule: out };
}

/**
 * RPKI origin validation of a unicast announcement (RFC 6811) under `guards.rpki` for its kind:
 * the announced prefix, or the tenant network covering it. Undefined when the policy is off.
 */
function checkOrigin(
  ctx: GuardContext,
  rule: Rule,
): { ok: true; note: string } | { ok: false; code: GuardCode; reason: string } | undefined {
  const policy = rule.intent === 'scrubbing' ? ctx.cfg.guards.rpki.scrubbing : ctx.cfg.guards.rpki.blackhole;
  if (policy.mode === 'off') return undefined;
  const announced = tryParsePrefix(rule.target);
  const owned = announced ? ctx.tenants.networkOf(announced) : undefined;
  const checked = policy.validate === 'covering' && owned ? formatPrefix(owned) : rule.target;
  const what = checked === rule.target ? rule.target : `${checked} (the network covering ${rule.target})`;
  const raw = ctx.validateOrigin(checked);
  const v = typeof raw === 'string' ? { state: raw, detail: `RPKI ${raw}` } : raw;
  if (v.state === 'invalid')
    return {
      ok: false,
      code: 'rpki-invalid',
      reason: `${what} is RPKI-invalid: no unicast announcement (${v.detail})`,
    };
  if (v.state !== 'valid' && policy.mode === 'require-valid')
    return {
      ok: false,
      code: 'rpki-not-valid',
      reason: `${what} is RPKI-${v.state} and guards.rpki requires valid (${v.detail})`,
    };
  return { ok: true, note: `rpki ${v.state} for ${what}: ${v.detail}` };
}
