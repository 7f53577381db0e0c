// Routing for one channel: filters (tenant, severity, kind), then the rate limit. Follow-ups of an
// incident the channel was already told about (its resolution or acknowledgement) always go through,
// so a PagerDuty or Opsgenie incident opened by floodgate is also closed by it. Pure.
import type { ChannelConfig } from './config.js';
import { take, type Bucket, type RateLimitConfig } from './rate-limit.js';
import { severityRank, type Notice } from './types.js';

export type Route = 'send' | 'digest' | 'filtered';

export interface RouteState {
  readonly bucket: Bucket;
  /** Incidents this channel has been sent a notice about. */
  readonly told: ReadonlySet<string>;
}

export function isFollowUp(n: Notice): boolean {
  return (
    n.incidentEffect === 'resolved' ||
    n.incidentEffect === 'acknowledged' ||
    n.kind === 'incident.resolved' ||
    n.kind === 'incident.acknowledged'
  );
}

export function passesFilters(cfg: ChannelConfig, n: Notice): boolean {
  if (!cfg.enabled) return false;
  if (cfg.tenants.length > 0 && !cfg.tenants.includes(n.tenant)) return false;
  if (severityRank(n.severity) < severityRank(cfg.minSeverity)) return false;
  if (cfg.kinds.length > 0 && !cfg.kinds.includes(n.kind)) return false;
  return true;
}

export function route(
  cfg: ChannelConfig,
  limit: RateLimitConfig,
  state: RouteState,
  n: Notice,
  now: number,
): { route: Route; bucket: Bucket } {
  if (cfg.enabled && isFollowUp(n) && n.incidentId !== undefined && state.told.has(n.incidentId))
    return { route: 'send', bucket: state.bucket };
  if (!passesFilters(cfg, n)) return { route: 'filtered', bucket: state.bucket };
  const t = take(state.bucket, limit, now);
  return { route: t.ok ? 'send' : 'digest', bucket: t.bucket };
}
