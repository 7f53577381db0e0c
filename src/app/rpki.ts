// Wiring of RPKI: the service built from the `rpki` section, the engine's origin-validator port over
// it (the AS checked is the one our announcements carry), and stale-data events on the bus.
import type { Config } from '../config/schema.js';
import type { EventBus } from '../domain/events.js';
import type { OriginValidator } from '../mitigation/types.js';
import { parsePrefix } from '../net/prefix.js';
import { type RpkiVerdict, RpkiService } from '../rpki/service.js';
import { formatVrp } from '../rpki/vrp.js';
import type { Logger } from './logger.js';

export function rpkiOriginAs(config: Config): number | undefined {
  return config.rpki.originAs ?? (config.bgp.enabled ? config.bgp.localAs : undefined);
}

export function buildRpki(
  config: Config,
  log: Logger,
  events: EventBus,
): { service: RpkiService; validator: OriginValidator } | undefined {
  if (!config.rpki.caches.length && !config.rpki.files.length) return undefined;
  const originAs = rpkiOriginAs(config);
  const service = new RpkiService({
    config: config.rpki,
    ...(originAs !== undefined ? { originAs } : {}),
    log: (level, msg, fields) => log[level](fields ?? {}, `rpki: ${msg}`),
    onStale: (stale, detail) =>
      events.publish({ type: 'rpki', at: Date.now(), state: stale ? 'stale' : 'fresh', detail }),
  });
  const validator: OriginValidator = (prefix) => {
    const v = service.validate(parsePrefix(prefix));
    return { state: v.state === 'valid' || v.state === 'invalid' ? v.state : 'unknown', detail: v.detail };
  };
  return { service, validator };
}

/** The API / CLI form of a verdict: state, the VRPs that matched and covered, in words. */
export interface RpkiVerdictJson {
  readonly originAs: number;
  readonly state: RpkiVerdict['state'];
  readonly matched: string[];
  readonly covering: string[];
  readonly detail: string;
}

export function rpkiVerdictJson(v: RpkiVerdict): RpkiVerdictJson {
  return {
    originAs: v.originAs,
    state: v.state,
    matched: v.result?.matched.map(formatVrp) ?? [],
    covering: v.result?.covering.map(formatVrp) ?? [],
    detail: v.detail,
  };
}

/** Starts the RPKI sources; decisions right after start-up should see the VRPs, so waits briefly (5 s). */
export async function startRpki(service: RpkiService, log: Logger): Promise<void> {
  await service.start();
  const ready = await service.whenReady(5000);
  log[ready ? 'info' : 'warn'](
    { vrps: service.status().vrps.total, originAs: service.originAs },
    ready
      ? 'RPKI data in force'
      : 'RPKI: no data yet after 5 s; origin validation says no-data until a source syncs',
  );
}
