// The host agents as one mitigation target of the engine (the adapter port): announcing a rule makes it
// part of the answer to every report of the agents whose networks hold its target and whose allow-list
// has its intent; withdrawing it drops it from those answers, and each agent removes it from its nftables
// table at its next report. Nothing is sent from here: agents pull (they may sit behind NAT).
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../domain/adapter-port.js';
import { SUPPORTED_INTENTS } from '../adapters/local/render.js';
import type { Rule } from '../domain/rule.js';
import type { AgentHub } from './hub.js';
import type { AgentRegistry } from './registry.js';

export class AgentsAdapter implements Adapter {
  readonly kind = 'agents';
  readonly name = 'agents';
  // what the agents' local nftables adapter renders
  readonly capabilities: AdapterCapabilities = { families: [4, 6], intents: SUPPORTED_INTENTS };

  constructor(
    private readonly registry: AgentRegistry,
    private readonly hub: AgentHub,
    private readonly now: () => number = Date.now,
  ) {}

  async announce(rule: Rule): Promise<AdapterResult> {
    const takers = this.hub.takers(await this.registry.list(), rule);
    const payload = {
      adapter: this.name,
      ruleId: rule.id,
      agents: takers.map((a) => a.name),
      delivery: 'in the answer to each of these agents\u2019 next report',
    };
    if (takers.length === 0)
      return {
        ok: false,
        payload,
        retryable: false,
        error: `no enrolled agent covers ${rule.target} with ${rule.intent} on its allow-list`,
      };
    this.hub.rules.set(rule.id, rule);
    return { ok: true, payload };
  }

  async withdraw(rule: Rule): Promise<AdapterResult> {
    this.hub.rules.delete(rule.id);
    return { ok: true, payload: { adapter: this.name, ruleId: rule.id, delivery: 'removed at next report' } };
  }

  async list(): Promise<readonly HeldRule[]> {
    return [...this.hub.rules.values()].map((r) => ({
      ruleId: r.id,
      target: r.target,
      description: `${r.intent} for the agents covering ${r.target}`,
    }));
  }

  async test(): Promise<AdapterHealth> {
    return this.health();
  }

  health(): AdapterHealth {
    const live = this.hub.liveCount();
    return live > 0
      ? { status: 'up', detail: `${live} agent(s) reporting`, checkedAt: this.now() }
      : { status: 'degraded', detail: 'no agent reported recently', checkedAt: this.now() };
  }

  async close(): Promise<void> {}
}
