// How a BGP daemon carries a Rule: as a FlowSpec route (RFC 8955/8956), as an RTBH unicast route
// (RFC 7999) or as a scrubbing diversion (a unicast route with the operator's communities). The intent decides; anything a daemon cannot carry is refused, never approximated.
import {
  INTENT_ROUTE,
  type Intent,
  type IntentRoute,
  type Rule,
  intentsRoutedAs,
} from '../../domain/rule.js';
import { formatPrefix, tryParsePrefix } from '../../net/index.js';
import { RenderError } from './errors.js';

export type DaemonRouteKind = Exclude<IntentRoute, 'local'>;

/** Every intent a BGP daemon carries as a route. */
export const ROUTED_INTENTS: readonly Intent[] = intentsRoutedAs('flowspec', 'rtbh', 'diversion');

/**
 * How a daemon carries the rule (src/domain/rule.ts INTENT_ROUTE): FlowSpec (actions in rule.actions),
 * RTBH, or a diversion — the covering /24 (/48) as a plain unicast route drawing traffic to the scrubber.
 */
export function routeKind(rule: Rule): DaemonRouteKind {
  const route = INTENT_ROUTE[rule.intent];
  if (route === 'rtbh' || route === 'diversion') return route;
  if (route === 'flowspec') {
    if (rule.actions.length === 0) {
      throw new RenderError(
        'missing-action',
        `rule ${rule.id}: intent ${rule.intent} has no FlowSpec action`,
      );
    }
    if (rule.match.family !== rule.family) {
      throw new RenderError(
        'unsupported-family',
        `rule ${rule.id}: match family ${rule.match.family} != ${rule.family}`,
      );
    }
    return 'flowspec';
  }
  throw new RenderError('unsupported-intent', `intent ${rule.intent} cannot be carried by a BGP speaker`);
}

/** The rule's target as a canonical prefix of the rule's family. */
export function targetPrefix(rule: Rule): string {
  const p = tryParsePrefix(rule.target);
  if (!p) throw new RenderError('bad-prefix', `rule ${rule.id}: target "${rule.target}" is not a prefix`);
  if (p.family !== rule.family) {
    throw new RenderError(
      'unsupported-family',
      `rule ${rule.id}: target ${rule.target} is not IPv${rule.family}`,
    );
  }
  return formatPrefix(p);
}

/** Canonical text of a FlowSpec prefix component, checked against the family. */
export function flowPrefix(text: string, family: 4 | 6): string {
  const p = tryParsePrefix(text);
  if (!p || p.family !== family)
    throw new RenderError('bad-prefix', `"${text}" is not an IPv${family} prefix`);
  return formatPrefix(p);
}

/** Refuse per-peer announcement on daemons whose adapter cannot restrict peers: it would blackhole wider. */
export function refusePeers(rule: Rule, daemon: string): void {
  if (rule.peers && rule.peers.length > 0) {
    throw new RenderError(
      'selective-peers',
      `${daemon} adapter cannot restrict an announcement to peers ${rule.peers.join(', ')}`,
    );
  }
}
