// Routing for one channel: filters (tenant, severity, kind), then the rate limit. Follow-ups of an
// incident the channel was already told about (its resolution or acknowledgement) always go through,
// so a PagerDuty or Opsgenie incident opened by floodgate is also closed by it. Pure.
import type { ChannelConfig } from './config.js';
import { take, type Bucket, type RateLimitConfig } from './rate-limit.js';
import { severityRank, type Notice } from './types.js';

export type Route = 'send' | 'digest' | 'filtered';

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

/** `told`: this channel was already sent a notice about the notice's incident (kept on the incident). */
export function route(
  cfg: ChannelConfig,
  limit: RateLimitConfig,
  bucket: Bucket,
  n: Notice,
  now: number,
  told: boolean,
): { route: Route; bucket: Bucket } {
  if (cfg.enabled && isFollowUp(n) && told) return { route: 'send', bucket };
  if (!passesFilters(cfg, n)) return { route: 'filtered', bucket };
  const t = take(bucket, limit, now);
  return { route: t.ok ? 'send' : 'digest', bucket: t.bucket };
}
