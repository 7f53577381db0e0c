// Adapter over floodgate's own BGP speaker (src/bgp): announce/withdraw go into the per-peer
// Adj-RIB-Out (sent now, or when a session comes up), list reads it back, health comes from sessions.
import { type Intent, type Rule, intentsRoutedAs } from '../domain/rule.js';
import type { BgpConfig } from '../bgp/config.js';
import { BGP_INTENTS } from '../bgp/render.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import { tryParseIp } from '../net/index.js';
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../domain/adapter-port.js';

type Gap = { intent: Intent; family: 4 | 6; reason: string };

/**
 * What the native speaker can carry as configured (pure): every BGP intent, selective per peer, routes
 * owned per rule — less the (intent, family) pairs no peer takes or no peer can render: no peer with the
 * family, an IPv4 blackhole without a discard next hop, a diversion without a next hop.
 */
export function nativeBgpCapabilities(
  bgp: Pick<BgpConfig, 'peers' | 'discardNextHop'>,
  scrubbingNextHop: { ipv4?: string | undefined; ipv6?: string | undefined } = {},
): AdapterCapabilities {
  const gaps: Gap[] = [];
  for (const family of [4, 6] as const) {
    const v = family === 4 ? 'ipv4' : 'ipv6';
    const unicast = bgp.peers.filter((p) => p.families.includes(`${v}-unicast`));
    const flow = bgp.peers.filter(
      (p) =>
        p.families.includes(`${v}-flowspec`) ||
        (p.flowspecRd !== undefined && p.families.includes(`${v}-vpn-flowspec`)),
    );
    if (flow.length === 0)
      for (const intent of intentsRoutedAs('flowspec'))
        gaps.push({ intent, family, reason: `no BGP peer has ${v}-flowspec` });
    if (unicast.length === 0) {
      for (const intent of intentsRoutedAs('rtbh', 'diversion'))
        gaps.push({ intent, family, reason: `no BGP peer has ${v}-unicast` });
      continue;
    }
    if (family === 4 && !bgp.discardNextHop.ipv4) {
      const lacking = unicast.filter((p) => !p.rtbh.nextHopIpv4).map((p) => p.name ?? p.address);
      if (lacking.length)
        gaps.push({
          intent: 'blackhole',
          family,
          reason: `no IPv4 discard next hop (bgp.discardNextHop.ipv4) for peer(s) ${lacking.join(', ')}`,
        });
    }
    if ((family === 4 ? scrubbingNextHop.ipv4 : scrubbingNextHop.ipv6) === undefined) {
      const lacking = unicast
        .filter((p) => p.localAddress === undefined || tryParseIp(p.localAddress)?.family !== family)
        .map((p) => p.name ?? p.address);
      if (lacking.length)
        gaps.push({
          intent: 'scrubbing',
          family,
          reason: `no IPv${family} diversion next hop (mitigation.scrubbing.nextHop.${v} or an IPv${family} localAddress) for peer(s) ${lacking.join(', ')}`,
        });
    }
  }
  return { families: [4, 6], intents: BGP_INTENTS, selectivePeers: true, routesByRule: true, gaps };
}

export interface NativeBgpAdapterOptions {
  readonly name?: string;
  readonly speaker: BgpSpeaker;
  /** close() also stops the speaker (true when the adapter was built for it alone). */
  readonly ownsSpeaker?: boolean;
  /** mitigation.scrubbing.nextHop: with it a diversion needs no local address per peer. */
  readonly scrubbingNextHop?: { ipv4?: string | undefined; ipv6?: string | undefined };
  readonly now?: () => number;
}

export class NativeBgpAdapter implements Adapter {
  readonly name: string;
  readonly kind = 'native-bgp';
  readonly capabilities: AdapterCapabilities;
  private readonly speaker: BgpSpeaker;

  constructor(private readonly o: NativeBgpAdapterOptions) {
    this.name = o.name ?? 'bgp';
    this.speaker = o.speaker;
    this.capabilities = nativeBgpCapabilities(o.speaker.config, o.scrubbingNextHop);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async announce(rule: Rule): Promise<AdapterResult> {
    const out = this.speaker.upsertRule(rule);
    // `in`, not a read: the route text is formatted lazily, only when the payload is serialised.
    const routed = Object.values(out.peers).filter((p) => 'route' in p).length;
    const payload = { ruleId: rule.id, peers: out.peers };
    if (!out.ok) {
      const errors = Object.entries(out.peers)
        .filter(([, p]) => p.error)
        .map(([n, p]) => `${n}: ${p.error}`);
      return { ok: false, payload, error: errors.join('; '), retryable: false };
    }
    if (routed === 0)
      return { ok: false, payload, error: 'no configured BGP peer takes this rule', retryable: false };
    return { ok: true, payload };
  }

  async withdraw(rule: Rule): Promise<AdapterResult> {
    const held = this.speaker.withdrawRule(rule.id);
    return { ok: true, payload: { ruleId: rule.id, held } };
  }

  async list(): Promise<readonly HeldRule[]> {
    const byRule = new Map<string, string>();
    for (const peer of this.speaker.peerNames()) {
      for (const e of this.speaker.adjRibOut(peer) ?? [])
        for (const id of e.ruleIds) if (!byRule.has(id)) byRule.set(id, e.route);
    }
    return this.speaker.heldRules().map((r) => ({
      ruleId: r.id,
      target: r.target,
      description: byRule.get(r.id) ?? `${r.intent} ${r.target}`,
    }));
  }

  async test(): Promise<AdapterHealth> {
    return this.health();
  }

  health(): AdapterHealth {
    const sessions = this.speaker.sessionStates();
    const states = Object.values(sessions);
    const up = states.filter((s) => s === 'Established').length;
    const status = states.length > 0 && up === states.length ? 'up' : up > 0 ? 'degraded' : 'down';
    const detail =
      states.length === 0 ? 'no BGP peers configured' : `${up}/${states.length} BGP sessions established`;
    return { status, detail, sessions, checkedAt: this.now() };
  }

  async close(): Promise<void> {
    if (this.o.ownsSpeaker) await this.speaker.stop();
  }
}
