// Builds the configured adapters (and the native BGP speaker) from the config, in failover preference
// order: native BGP first, then BGP daemons, then services. Adding an adapter = one module + one
// config block + one line here (docs/adapters.md).
import type { Adapter } from '../domain/adapter-port.js';
import type { BirdAdapter } from '../adapters/bird/adapter.js';
import type { CloudflareAdapter } from '../adapters/cloudflare/adapter.js';
import type { ExabgpAdapter } from '../adapters/exabgp/adapter.js';
import type { F5Adapter } from '../adapters/f5/adapter.js';
import type { FrrAdapter } from '../adapters/frr/adapter.js';
import type { GobgpAdapter } from '../adapters/gobgp/adapter.js';
import type { LocalAdapter } from '../adapters/local/adapter.js';
import type { NativeBgpAdapter } from '../adapters/native-bgp.js';
import type { RadwareAdapter } from '../adapters/radware/adapter.js';
import type { WebhookAdapter } from '../adapters/webhook/adapter.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import type { Config } from '../config/schema.js';
import { type CarryIssue, formatCarryIssue, uncarriedLevels } from '../mitigation/carry.js';
import type { Logger } from './logger.js';
import { loadOptional } from './optional.js';

export interface BuiltAdapters {
  readonly adapters: Adapter[];
  readonly speaker: BgpSpeaker | undefined;
}

/**
 * One loader per adapter kind: a kind's module (and its client: gRPC for GoBGP, undici for the HTTP
 * services) is imported only when an enabled instance of it is configured (docs/performance.md "Memory").
 */
export interface AdapterModules {
  bgp(): Promise<{ BgpSpeaker: typeof BgpSpeaker; NativeBgpAdapter: typeof NativeBgpAdapter }>;
  exabgp(): Promise<{ ExabgpAdapter: typeof ExabgpAdapter }>;
  gobgp(): Promise<{ GobgpAdapter: typeof GobgpAdapter }>;
  bird(): Promise<{ BirdAdapter: typeof BirdAdapter }>;
  frr(): Promise<{ FrrAdapter: typeof FrrAdapter }>;
  cloudflare(): Promise<{ CloudflareAdapter: typeof CloudflareAdapter }>;
  radware(): Promise<{ RadwareAdapter: typeof RadwareAdapter }>;
  f5(): Promise<{ F5Adapter: typeof F5Adapter }>;
  webhook(): Promise<{ WebhookAdapter: typeof WebhookAdapter }>;
  local(): Promise<{ LocalAdapter: typeof LocalAdapter }>;
}

export const ADAPTER_MODULES: AdapterModules = {
  bgp: async () => {
    const [{ BgpSpeaker }, { NativeBgpAdapter }] = await Promise.all([
      import('../bgp/speaker.js'),
      import('../adapters/native-bgp.js'),
    ]);
    return { BgpSpeaker, NativeBgpAdapter };
  },
  exabgp: () => import('../adapters/exabgp/adapter.js'),
  gobgp: () => import('../adapters/gobgp/adapter.js'),
  bird: () => import('../adapters/bird/adapter.js'),
  frr: () => import('../adapters/frr/adapter.js'),
  cloudflare: () => import('../adapters/cloudflare/adapter.js'),
  radware: () => import('../adapters/radware/adapter.js'),
  f5: () => import('../adapters/f5/adapter.js'),
  webhook: () => import('../adapters/webhook/adapter.js'),
  local: () => import('../adapters/local/adapter.js'),
};

/** The npm packages a kind needs beyond this package's own code, named when it cannot be loaded. */
const PACKAGES: Record<keyof AdapterModules, string> = {
  bgp: 'none',
  exabgp: 'none',
  gobgp: '@grpc/grpc-js and @grpc/proto-loader',
  bird: 'none',
  frr: 'none',
  cloudflare: 'undici',
  radware: 'undici',
  f5: 'undici',
  webhook: 'undici',
  local: 'none',
};

export async function buildAdapters(
  config: Config,
  log: Logger,
  modules: AdapterModules = ADAPTER_MODULES,
): Promise<BuiltAdapters> {
  const load = <K extends keyof AdapterModules>(kind: K): ReturnType<AdapterModules[K]> =>
    loadOptional(`adapters.${kind}`, PACKAGES[kind], () => modules[kind]() as Promise<unknown>) as ReturnType<
      AdapterModules[K]
    >;
  const adapters: Adapter[] = [];
  let speaker: BgpSpeaker | undefined;
  if (config.bgp.enabled) {
    const m = await load('bgp');
    speaker = new m.BgpSpeaker(config.bgp, {
      log: (level, msg, fields) => log[level](fields ?? {}, `bgp: ${msg}`),
    });
    adapters.push(
      new m.NativeBgpAdapter({ name: 'bgp', speaker, scrubbingNextHop: config.mitigation.scrubbing.nextHop }),
    );
  }
  const a = config.adapters;
  // an instance with enabled: false is configuration kept for later, never built or used (nor loaded)
  const on = <T extends { enabled: boolean }>(list: readonly T[]) => list.filter((c) => c.enabled);
  if (on(a.exabgp).length) {
    const { ExabgpAdapter } = await load('exabgp');
    for (const c of on(a.exabgp)) adapters.push(new ExabgpAdapter(c));
  }
  if (on(a.gobgp).length) {
    const { GobgpAdapter } = await load('gobgp');
    for (const c of on(a.gobgp))
      adapters.push(new GobgpAdapter(c, { scrubbingNextHop: config.mitigation.scrubbing.nextHop }));
  }
  if (on(a.bird).length) {
    const { BirdAdapter } = await load('bird');
    for (const c of on(a.bird)) adapters.push(new BirdAdapter(c));
  }
  if (on(a.frr).length) {
    const { FrrAdapter } = await load('frr');
    for (const c of on(a.frr)) adapters.push(new FrrAdapter(c));
  }
  if (a.cloudflare.enabled) adapters.push(new (await load('cloudflare')).CloudflareAdapter(a.cloudflare));
  if (a.radware.enabled) adapters.push(new (await load('radware')).RadwareAdapter(a.radware));
  if (a.f5.enabled) adapters.push(new (await load('f5')).F5Adapter(a.f5));
  if (a.webhook.enabled) adapters.push(new (await load('webhook')).WebhookAdapter(a.webhook));
  if (a.local.enabled) adapters.push(new (await load('local')).LocalAdapter(a.local));
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
  const built = await buildAdapters(config, log);
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
