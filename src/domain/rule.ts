// The one Rule model: every adapter renders it, the engine owns it, the store keeps it.
import type { FlowSpecAction, FlowSpecMatch } from '../flowspec/types.js';

export const INTENTS = [
  'rate-limit',
  'drop',
  'blackhole',
  'vrf-redirect',
  'geo-lockdown',
  'syn-cookies',
  'synproxy',
  'scrubbing',
] as const;
export type Intent = (typeof INTENTS)[number];

/**
 * How each intent reaches the network, declared once: a FlowSpec route (RFC 8955), a unicast route
 * (RTBH, RFC 7999, or a scrubbing diversion of the covering prefix), or a host-local action.
 */
export type IntentRoute = 'flowspec' | 'rtbh' | 'diversion' | 'local';
export const INTENT_ROUTE: Readonly<Record<Intent, IntentRoute>> = {
  'rate-limit': 'flowspec',
  drop: 'flowspec',
  'vrf-redirect': 'flowspec',
  blackhole: 'rtbh',
  scrubbing: 'diversion',
  'geo-lockdown': 'local',
  'syn-cookies': 'local',
  synproxy: 'local',
};

/** The coarser kind the engine reasons with: RTBH and diversion are both unicast routes. */
export type IntentKind = 'flowspec' | 'unicast' | 'local';
const KIND_OF_ROUTE: Readonly<Record<IntentRoute, IntentKind>> = {
  flowspec: 'flowspec',
  rtbh: 'unicast',
  diversion: 'unicast',
  local: 'local',
};
export const INTENT_KIND: Readonly<Record<Intent, IntentKind>> = Object.fromEntries(
  INTENTS.map((i) => [i, KIND_OF_ROUTE[INTENT_ROUTE[i]]]),
) as Record<Intent, IntentKind>;

/** The intents carried by any of the given routes, in INTENTS order. */
export function intentsRoutedAs(...routes: IntentRoute[]): Intent[] {
  return INTENTS.filter((i) => routes.includes(INTENT_ROUTE[i]));
}

export type RuleOrigin = 'auto' | 'manual';

/** pending → announced → (escalated/de-escalated = re-announced) → withdrawn; failed retries with backoff. */
export type RuleState = 'pending' | 'announced' | 'failed' | 'withdrawn';

/** 1 FlowSpec rate-limit, 2 FlowSpec drop, 3 RTBH, 4 cloud scrubbing; 0 = manual rule outside the ladder. */
export type EscalationLevel = 0 | 1 | 2 | 3 | 4;

export interface Rule {
  readonly id: string;
  readonly tenant: string;
  /** Canonical target prefix text (host route or prefix). */
  readonly target: string;
  readonly family: 4 | 6;
  readonly intent: Intent;
  readonly level: EscalationLevel;
  /** FlowSpec match; destination always equals target. */
  readonly match: FlowSpecMatch;
  /** FlowSpec actions rendered from the intent (empty for unicast intents). */
  readonly actions: readonly FlowSpecAction[];
  /** For rate-limit: bytes per second allowed through. */
  readonly rateBytesPerSecond?: number;
  /** RTBH / unicast communities, "65535:666" standard, "65000:1:2" large. */
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
  /** Next hop of a unicast diversion (scrubbing); absent = the speaker's own address (next-hop self). */
  readonly nextHop?: string;
  /** Restrict announcement to these peers (selective blackholing); absent = all. */
  readonly peers?: readonly string[];
  /** For vrf-redirect: route target. */
  readonly routeTarget?: string;
  /** For geo-lockdown: ISO 3166 country codes allowed. */
  readonly allowCountries?: readonly string[];
  readonly ttlSeconds: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly origin: RuleOrigin;
  readonly attackId?: string;
  readonly reason: string;
  readonly state: RuleState;
  readonly dryRun: boolean;
}

export type RuleChangeKind = 'announce' | 'update' | 'withdraw';

/** What the engine asks the adapters to do. */
export interface RuleChange {
  readonly kind: RuleChangeKind;
  readonly rule: Rule;
  /** For update: the rule it replaces. */
  readonly previous?: Rule;
  readonly reason: string;
  readonly at: number;
}
