// The controller's side of host agents: turns a report into attack events for the engine (node = the
// agent's enrolled name, like a flow exporter's node), hands its packet samples to the attack captures,
// keeps each agent's last counters, and answers with the mitigations the agent is to hold. Those come
// from the engine through AgentsAdapter (adapter.ts): the rules it announced whose target lies in the
// agent's networks and whose intent is on the agent's allow-list.
import type { AttackEvent } from '../domain/attack.js';
import type { Rule } from '../domain/rule.js';
import { FlowBatch } from '../flow/batch.js';
import { parseFrame } from '../flow/packet.js';
import { wordsToIpString } from '../net/index.js';
import type { AgentReportParsed } from './protocol.js';
import { insideNetworks, type AgentRecord } from './registry.js';

export interface AgentsLimits {
  readonly maxEventsPerReport: number;
  readonly maxSamplesPerReport: number;
  /** An agent silent for longer than this is shown as stale (and the adapter's health degrades). */
  readonly staleSeconds: number;
}

/** Where the hub sends what it accepted (wired in src/app). */
export interface AgentSinks {
  /** The same path as the flow detector's events: log, store, event bus, engine. */
  event(e: AttackEvent): void;
  /** agents.mirror: the engine's active rules on its other adapters (the app filters out dry-run ones). */
  mirror?(): readonly Rule[];
  /** Attack captures (forensics.recorder.sample); absent when forensics is off. */
  sample?(
    key: number | string,
    data: Uint8Array,
    at: number,
    link: number,
    origLen: number,
    exporter: string,
    rate: number,
  ): void;
}

/** The answer to a report (agentReportAnswerSchema on the wire). */
export interface AgentAnswer {
  readonly agent: string;
  readonly accepted: number;
  readonly refused: readonly { index: number; reason: string }[];
  readonly samples: number;
  readonly mitigations: readonly Rule[];
}

export interface AgentStatus {
  readonly lastSeen: number;
  readonly lastSeq: number;
  readonly samplingRate: number;
  readonly counters: AgentReportParsed['counters'] | null;
  readonly capture: AgentReportParsed['capture'] | null;
  readonly held: readonly string[];
  readonly queued: number;
  readonly reports: number;
  readonly eventsAccepted: number;
  readonly eventsRefused: number;
  readonly samples: number;
}

export class AgentHub {
  private readonly status = new Map<string, AgentStatus>();
  /** Rules the engine announced to the agents (AgentsAdapter), by id. */
  readonly rules = new Map<string, Rule>();
  private readonly scratch = new FlowBatch(1);
  /** Reports refused as a whole or events refused: a counter per reason for /metrics and health. */
  readonly refusals: Record<string, number> = {};

  constructor(
    private limits: AgentsLimits,
    private readonly sinks: AgentSinks,
    private readonly now: () => number = Date.now,
  ) {}

  setLimits(l: AgentsLimits): void {
    this.limits = l;
  }

  private refuse(why: string): string {
    this.refusals[why] = (this.refusals[why] ?? 0) + 1;
    return why;
  }

  /** The rules `agent` is to hold now. */
  mitigationsFor(agent: AgentRecord): Rule[] {
    const out = new Map<string, Rule>();
    for (const r of [...this.rules.values(), ...(this.sinks.mirror?.() ?? [])])
      if (!out.has(r.id) && agent.allow.includes(r.intent) && insideNetworks(agent.networks, r.target))
        out.set(r.id, r);
    return [...out.values()];
  }

  /** Agents that may take this rule (allow-list and networks). */
  takers(agents: readonly AgentRecord[], rule: Rule): AgentRecord[] {
    return agents.filter((a) => a.allow.includes(rule.intent) && insideNetworks(a.networks, rule.target));
  }

  report(agent: AgentRecord, r: AgentReportParsed): AgentAnswer {
    const now = this.now();
    const refused: { index: number; reason: string }[] = [];
    // samples first: a start event in this report opens its capture from the ring, pre-attack samples included
    let samples = 0;
    if (this.sinks.sample) {
      for (const s of r.samples.slice(0, this.limits.maxSamplesPerReport)) {
        const data = Buffer.from(s.data, 'base64');
        const b = this.scratch;
        b.reset();
        const i = b.next();
        const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
        if (parseFrame(dv, 0, data.length, s.link, b, i) < 0) {
          this.refuse('sample-not-ip');
          continue;
        }
        const fam = b.family[i] === 6 ? 6 : 4;
        const dst = wordsToIpString(b.dstAddr, 0, fam);
        if (!insideNetworks(agent.networks, dst)) {
          this.refuse('sample-outside-networks');
          continue;
        }
        const key = fam === 4 ? (b.dstAddr[0] as number) : dst;
        this.sinks.sample(key, data, s.at, s.link, s.origLen, `agent:${agent.name}`, r.samplingRate);
        samples++;
      }
    }
    let accepted = 0;
    r.events.forEach((e, index) => {
      if (index >= this.limits.maxEventsPerReport) {
        refused.push({ index, reason: this.refuse('over-events-per-report') });
        return;
      }
      if (!insideNetworks(agent.networks, e.target)) {
        this.refuse('event-outside-networks');
        refused.push({
          index,
          reason: `target ${e.target} is outside the agent's networks (${agent.networks.join(', ')})`,
        });
        return;
      }
      const { moreNodes: _m, ...rest } = e;
      const event: AttackEvent = {
        ...rest,
        // one detector per agent: its attack ids are its own, and its events are one node's
        attackId: `${e.attackId}@${agent.name}`,
        node: agent.name,
      };
      this.sinks.event(event);
      accepted++;
    });
    const prev = this.status.get(agent.id);
    this.status.set(agent.id, {
      lastSeen: now,
      lastSeq: r.seq,
      samplingRate: r.samplingRate,
      counters: r.counters ?? prev?.counters ?? null,
      capture: r.capture ?? prev?.capture ?? null,
      held: r.held,
      queued: r.queued,
      reports: (prev?.reports ?? 0) + 1,
      eventsAccepted: (prev?.eventsAccepted ?? 0) + accepted,
      eventsRefused: (prev?.eventsRefused ?? 0) + refused.length,
      samples: (prev?.samples ?? 0) + samples,
    });
    return { agent: agent.name, accepted, refused, samples, mitigations: this.mitigationsFor(agent) };
  }

  statusOf(id: string): (AgentStatus & { stale: boolean }) | undefined {
    const s = this.status.get(id);
    return s ? { ...s, stale: this.now() - s.lastSeen > this.limits.staleSeconds * 1000 } : undefined;
  }

  /** Agents heard from within staleSeconds. */
  liveCount(): number {
    const limit = this.now() - this.limits.staleSeconds * 1000;
    let n = 0;
    for (const s of this.status.values()) if (s.lastSeen >= limit) n++;
    return n;
  }

  forget(id: string): void {
    this.status.delete(id);
  }
}
