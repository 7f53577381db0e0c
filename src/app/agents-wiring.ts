// Wiring of host agents in `floodgate run` (agents.enabled): the registry over the store's key/value state,
// the hub that turns reports into attack events (through App.emit, like the detector's), the "agents"
// adapter the engine mitigates through, and the hand-off of agent packet samples to attack captures.
import { AgentsAdapter } from '../agent/adapter.js';
import type { AgentsConfig } from '../agent/config.js';
import { AgentHub, type AgentSinks } from '../agent/hub.js';
import { AgentRegistry } from '../agent/registry.js';
import type { AttackEvent } from '../domain/attack.js';
import type { Rule } from '../domain/rule.js';
import type { AttackRecorder } from '../forensics/recorder.js';
import type { StateRepository } from '../domain/store-port.js';

export interface AgentsWiring {
  readonly registry: AgentRegistry;
  readonly hub: AgentHub;
  readonly adapter: AgentsAdapter;
  /** Sends agent samples into the attack recorder (forensics.enabled). */
  captureInto(recorder: AttackRecorder): void;
  stats(): Record<string, unknown>;
}

export function agentsWiring(
  cfg: AgentsConfig,
  state: StateRepository,
  emit: (e: AttackEvent) => void,
  /** The engine's active rules (agents.mirror). */
  activeRules: () => readonly Rule[],
): AgentsWiring {
  const registry = new AgentRegistry(state, cfg.maxAgents);
  const sinks: AgentSinks = {
    event: emit,
    ...(cfg.mirror
      ? { mirror: () => activeRules().filter((r) => !r.dryRun && r.state === 'announced') }
      : {}),
  };
  const hub = new AgentHub(cfg, sinks);
  const adapter = new AgentsAdapter(registry, hub);
  return {
    registry,
    hub,
    adapter,
    captureInto(recorder) {
      sinks.sample = (key, data, at, link, origLen, exporter, rate) =>
        recorder.sample(key, data, 0, data.length, at, link, origLen, exporter, rate);
    },
    stats: () => ({ live: hub.liveCount(), rules: hub.rules.size, refusals: { ...hub.refusals } }),
  };
}
