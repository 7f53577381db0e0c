// Intent → Rule: every intent renders a complete Rule (match + actions + communities) from the target,
// the attack signature and the config, even where the adapter that carries it comes later.
// FlowSpec actions: RFC 8955 §7 (traffic-rate 0 = discard, redirect to VRF); RTBH: RFC 7999 (65535:666).
import type { AttackFamily, Signature } from '../domain/attack.js';
import {
  type EscalationLevel,
  INTENT_KIND,
  type Intent,
  type Rule,
  type RuleOrigin,
} from '../domain/rule.js';
import type { FlowSpecAction, FlowSpecMatch } from '../flowspec/types.js';
import { TCP_FLAGS } from '../flowspec/components.js';
import { formatFlowSpec } from '../flowspec/text.js';
import { formatPrefix, makePrefix, parsePrefix, prefixAddress } from '../net/index.js';
import type { MitigationConfig } from './config.js';
import { type MatchDepth, allBitsTerm, eqTerms, signatureMatch } from './match.js';

/** Intents that discard traffic: the soft-whitelist turns them into a rate-limit. */
export const DISCARDS: Readonly<Record<Intent, boolean>> = {
  'rate-limit': false,
  drop: true,
  'vrf-redirect': false,
  blackhole: true,
  scrubbing: false,
  'geo-lockdown': true,
  'syn-cookies': false,
  synproxy: false,
};

export interface RuleSpec {
  readonly id: string;
  readonly tenant: string;
  /** Canonical prefix text of the attacked host or prefix. */
  readonly target: string;
  readonly intent: Intent;
  readonly level: EscalationLevel;
  readonly signature?: Signature;
  /** Classified attack family: picks the precise form of some components (SYN flood: syn without ack). */
  readonly attackFamily?: AttackFamily;
  readonly depth: MatchDepth;
  /** Manual rules give their own match (destination is always forced to the target). */
  readonly match?: FlowSpecMatch;
  /** Rate for rate-limit, bits per second. */
  readonly rateBitsPerSecond?: number;
  readonly ttlSeconds: number;
  readonly now: number;
  readonly expiresAt?: number;
  readonly origin: RuleOrigin;
  readonly attackId?: string;
  readonly reason: string;
  readonly dryRun: boolean;
}

const DEFAULT_RATE_BITS = 100e6;

/**
 * Bits/s → the bytes/s a traffic-rate-bytes action carries, exactly as its IEEE-754 single holds it
 * (RFC 8955 §7.1): at least 1 B/s, since 0 means discard and a rate-limit must never become a drop.
 * NaN when the rate cannot be carried (not finite, not positive, beyond the largest single).
 */
export function wireRateBytes(bitsPerSecond: number): number {
  if (!(Number.isFinite(bitsPerSecond) && bitsPerSecond > 0)) return NaN;
  const f = Math.fround(Math.max(1, Math.round(bitsPerSecond / 8)));
  return Number.isFinite(f) ? f : NaN;
}

/** Why a requested rate (bits/s) cannot be a rate-limit, or undefined when it can. */
export function rateProblem(bitsPerSecond: number): string | undefined {
  if (!(Number.isFinite(bitsPerSecond) && bitsPerSecond > 0))
    return `rate ${bitsPerSecond} bit/s must be a finite number above 0 (0 would be a discard)`;
  if (Number.isNaN(wireRateBytes(bitsPerSecond)))
    return `rate ${bitsPerSecond} bit/s is beyond what the 32-bit float of a traffic-rate action holds (RFC 8955 §7.1)`;
  return undefined;
}

/** Covering prefix a scrubbing provider diverts: the broadest the guards allow (/24, /48). */
export function diversionPrefix(target: string, cfg: MitigationConfig): string {
  const p = parsePrefix(target, { strict: false });
  const len = p.family === 4 ? cfg.guards.maxPrefixLength.v4 : cfg.guards.maxPrefixLength.v6;
  if (p.length <= len) return formatPrefix(p);
  return formatPrefix(makePrefix(prefixAddress(p), len));
}

/** Attributes of a scrubbing diversion: communities, large communities and the optional next hop. */
function diversionAttributes(
  cfg: MitigationConfig,
  family: 4 | 6,
): Pick<Rule, 'communities' | 'largeCommunities' | 'nextHop'> {
  const sc = cfg.scrubbing;
  const nextHop = family === 4 ? sc.nextHop.ipv4 : sc.nextHop.ipv6;
  return {
    ...(sc.communities.length ? { communities: [...sc.communities] } : {}),
    ...(sc.largeCommunities.length ? { largeCommunities: [...sc.largeCommunities] } : {}),
    ...(nextHop !== undefined ? { nextHop } : {}),
  };
}

export function renderRule(spec: RuleSpec, cfg: MitigationConfig): Rule {
  const family = parsePrefix(spec.target, { strict: false }).family;
  const kind = INTENT_KIND[spec.intent];
  const target = spec.intent === 'scrubbing' ? diversionPrefix(spec.target, cfg) : spec.target;
  let match: FlowSpecMatch;
  if (spec.match !== undefined) match = { ...spec.match, family, destination: { prefix: target } };
  else if (kind === 'unicast' || spec.intent === 'geo-lockdown')
    match = { family, destination: { prefix: target } };
  else if (spec.intent === 'syn-cookies' || spec.intent === 'synproxy') {
    match = {
      family,
      destination: { prefix: target },
      ipProtocol: eqTerms([6]),
      ...(spec.signature?.destinationPorts?.length
        ? { destinationPort: eqTerms(spec.signature.destinationPorts) }
        : {}),
      tcpFlags: allBitsTerm(TCP_FLAGS.syn),
    };
  } else match = signatureMatch(family, target, spec.signature, spec.depth, spec.attackFamily);

  const actions: FlowSpecAction[] = [];
  let rateBytesPerSecond: number | undefined;
  const asn = cfg.flowspec.rateAsn;
  if (spec.intent === 'rate-limit') {
    // Rule.rateBytesPerSecond is bytes per second, as the traffic-rate-bytes action carries it (RFC 8955 §7.1).
    // NaN for a rate no float32 holds: the guards refuse the rule rather than send a discard or Infinity
    rateBytesPerSecond = wireRateBytes(spec.rateBitsPerSecond ?? DEFAULT_RATE_BITS);
    actions.push({ kind: 'traffic-rate-bytes', asn, bytesPerSecond: rateBytesPerSecond });
  } else if (spec.intent === 'drop') {
    actions.push({ kind: 'traffic-rate-bytes', asn, bytesPerSecond: 0 });
  } else if (spec.intent === 'vrf-redirect') {
    actions.push({ kind: 'redirect-vrf', routeTarget: cfg.vrfRedirect.routeTarget });
  }

  const rule: Rule = {
    id: spec.id,
    tenant: spec.tenant,
    target,
    family,
    intent: spec.intent,
    level: spec.level,
    match,
    actions,
    ...(rateBytesPerSecond !== undefined ? { rateBytesPerSecond } : {}),
    ...(spec.intent === 'blackhole'
      ? {
          communities: [...cfg.rtbh.communities],
          largeCommunities: [...cfg.rtbh.largeCommunities],
          ...(cfg.rtbh.peers.length ? { peers: [...cfg.rtbh.peers] } : {}),
        }
      : {}),
    ...(spec.intent === 'scrubbing' ? diversionAttributes(cfg, family) : {}),
    ...(spec.intent === 'vrf-redirect' ? { routeTarget: cfg.vrfRedirect.routeTarget } : {}),
    ...(spec.intent === 'geo-lockdown' ? { allowCountries: [...cfg.geoLockdown.allowCountries] } : {}),
    ttlSeconds: spec.ttlSeconds,
    createdAt: spec.now,
    expiresAt: spec.expiresAt ?? spec.now + spec.ttlSeconds * 1000,
    origin: spec.origin,
    ...(spec.attackId !== undefined ? { attackId: spec.attackId } : {}),
    reason: spec.reason,
    state: 'pending',
    dryRun: spec.dryRun,
  };
  return rule;
}

const routeKeys = new WeakMap<FlowSpecMatch, string>();

/**
 * The network route a rule occupies (issue 19 item 4: at most one active rule per route): a FlowSpec
 * NLRI (the canonical text of its match), a unicast prefix (RTBH and diversion share the prefix's route),
 * or a local action on a target.
 */
export function routeKey(r: Rule): string {
  const kind = INTENT_KIND[r.intent];
  if (kind === 'unicast') return `unicast ${r.target}`;
  if (kind === 'local') return `local ${r.intent} ${r.target}`;
  let k = routeKeys.get(r.match);
  if (k === undefined) {
    k = `flowspec ${formatFlowSpec(r.match)}`;
    routeKeys.set(r.match, k);
  }
  return k;
}

/**
 * Same network route: a re-announcement replaces it in place, so the previous one must not be withdrawn.
 * Compared on the canonical route key (a match's key order must not matter: a manual match and the same
 * auto match are one NLRI).
 */
export function sameRoute(a: Rule, b: Rule): boolean {
  return routeKey(a) === routeKey(b);
}
