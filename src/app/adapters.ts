// Builds the configured adapters (and the native BGP speaker) from the config, in failover preference
// order: native BGP first, then BGP daemons, then services. Adding an adapter = one module + one
// config block + one line here (docs/adapters.md).
import type { Adapter } from '../domain/adapter-port.js';
import { BirdAdapter } from '../adapters/bird/adapter.js';
import { CloudflareAdapter } from '../adapters/cloudflare/adapter.js';
import { ExabgpAdapter } from '../adapters/exabgp/adapter.js';
import { F5Adapter } from '../adapters/f5/adapter.js';
import { FrrAdapter } from '../adapters/frr/adapter.js';
import { GobgpAdapter } from '../adapters/gobgp/adapter.js';
import { LocalAdapter } from '../adapters/local/adapter.js';
import { NativeBgpAdapter } from '../adapters/native-bgp.js';
import { RadwareAdapter } from '../adapters/radware/adapter.js';
import { WebhookAdapter } from '../adapters/webhook/adapter.js';
import { BgpSpeaker } from '../bgp/speaker.js';
import type { Config } from '../config/schema.js';
import { type CarryIssue, formatCarryIssue, uncarriedLevels } from '../mitigation/carry.js';
import type { Logger } from './logger.js';

export interface BuiltAdapters {
  readonly adapters: Adapter[];
  readonly speaker: BgpSpeaker | undefined;
}

export function buildAdapters(config: Config, log: Logger): BuiltAdapters {
  const adapters: Adapter[] = [];
  let speaker: BgpSpeaker | undefined;
  if (config.bgp.enabled) {
    speaker = new BgpSpeaker(config.bgp, {
      log: (level, msg, fields) => log[level](fields ?? {}, `bgp: ${msg}`),
    });
    adapters.push(
      new NativeBgpAdapter({ name: 'bgp', speaker, scrubbingNextHop: config.mitigation.scrubbing.nextHop }),
    );
  }
  const a = config.adapters;
  // an instance with enabled: false is configuration kept for later, never built or used
  for (const c of a.exabgp) if (c.enabled) adapters.push(new ExabgpAdapter(c));
  for (const c of a.gobgp)
    if (c.enabled)
      adapters.push(new GobgpAdapter(c, { scrubbingNextHop: config.mitigation.scrubbing.nextHop }));
  for (const c of a.bird) if (c.enabled) adapters.push(new BirdAdapter(c));
  for (const c of a.frr) if (c.enabled) adapters.push(new FrrAdapter(c));
  if (a.cloudflare.enabled) adapters.push(new CloudflareAdapter(a.cloudflare));
  if (a.radware.enabled) adapters.push(new RadwareAdapter(a.radware));
  if (a.f5.enabled) adapters.push(new F5Adapter(a.f5));
  if (a.webhook.enabled) adapters.push(new WebhookAdapter(a.webhook));
  if (a.local.enabled) adapters.push(new LocalAdapter(a.local));
  const names = new Set<string>();
  for (const ad of adapters) {
    if (names.has(ad.name)) throw new Error(`two adapters are named "${ad.name}": give each a unique name`);
    names.add(ad.name);
  }
  return { adapters, speaker };
}

/**
 * Every (policy, level, intent, family) the configured adapters cannot carry, from the config alone:
 * the adapters are constructed (no socket is opened before start) for their capability flags, then closed.
 */
export async function carryIssues(
  config: Config,
  log: Logger,
  extra: readonly Adapter[] = [],
): Promise<CarryIssue[]> {
  const built = buildAdapters(config, log);
  try {
    return uncarriedLevels(
      config.mitigation,
      [...built.adapters, ...extra].map((a) => ({ name: a.name, ...a.capabilities })),
    );
  } finally {
    for (const a of built.adapters) await a.close().catch(() => undefined);
  }
}

/** Logs each issue: an error when mitigation is live (the engine falls back), a warning in dry-run. */
export function logCarryIssues(issues: readonly CarryIssue[], log: Logger): void {
  // live: one error per level, each matters now; dry-run: one summary line, so a newcomer's first start
  // on the defaults (no adapter at all) is not a wall of warnings (check-config lists each one)
  const warnings: string[] = [];
  for (const i of issues) {
    // not `level`: that key is the log record's own severity
    const fields = { policy: i.policy, escalationLevel: i.level, intent: i.intent, family: i.family };
    if (i.severity === 'error') log.error(fields, formatCarryIssue(i));
    else warnings.push(`${i.policy} L${i.level} ${i.intent} IPv${i.family}`);
  }
  if (warnings.length > 0)
    log.warn(
      { uncarried: warnings },
      `${warnings.length} escalation level(s) no configured adapter carries (dry-run now; this matters once mitigation is live; \`floodgate check-config\` names each): ${warnings.join(', ')}`,
    );
}
