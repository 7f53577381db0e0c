// Adapter over floodgate's own BGP speaker (src/bgp): announce/withdraw go into the per-peer
// Adj-RIB-Out (sent now, or when a session comes up), list reads it back, health comes from sessions.
import type { Rule } from '../domain/rule.js';
import { BGP_INTENTS } from '../bgp/render.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import type { Adapter, AdapterCapabilities, AdapterHealth, AdapterResult, HeldRule } from './types.js';

export interface NativeBgpAdapterOptions {
  readonly name?: string;
  readonly speaker: BgpSpeaker;
  /** close() also stops the speaker (true when the adapter was built for it alone). */
  readonly ownsSpeaker?: boolean;
  readonly now?: () => number;
}

export class NativeBgpAdapter implements Adapter {
  readonly name: string;
  readonly kind = 'native-bgp';
  readonly capabilities: AdapterCapabilities = { families: [4, 6], intents: BGP_INTENTS };
  private readonly speaker: BgpSpeaker;

  constructor(private readonly o: NativeBgpAdapterOptions) {
    this.name = o.name ?? 'bgp';
    this.speaker = o.speaker;
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
