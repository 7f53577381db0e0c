// Builds a Notifier on a real event bus with in-memory repositories, and the events an attack's life
// produces (detection start/end, engine announce/withdraw audit records).
import type { AttackEvent } from '../../src/domain/attack.js';
import { EventBus, type OpsEvent } from '../../src/domain/events.js';
import type { Rule } from '../../src/domain/rule.js';
import { sampleRule } from '../../src/domain/sample-rule.js';
import { notificationsConfigSchema } from '../../src/notify/config.js';
import { Notifier } from '../../src/notify/notifier.js';
import type { IncidentRepository } from '../../src/notify/ports.js';

export const PD_KEY = 'e93facc04764012d7bfb002500d5d1a6';
export const GENIE_KEY = 'c1b4a7e2-0d3f-4a5b-9c8d-7e6f5a4b3c2d';
export const TG_TOKEN = `123456789:${'A'.repeat(20)}${'b_-'.repeat(5)}`;
export const FAST_RETRY = {
  attempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 5,
  timeoutMs: 10_000,
  maxRetryAfterMs: 5000,
};

export interface Harness {
  readonly bus: EventBus;
  readonly notifier: Notifier;
  readonly rules: Map<string, Rule>;
  readonly logs: string[];
  setNow(ms: number): void;
}

export async function harness(
  config: Record<string, unknown>,
  now?: () => number,
  incidents?: IncidentRepository,
): Promise<Harness> {
  const bus = new EventBus();
  const rules = new Map<string, Rule>();
  const kv = new Map<string, string>();
  const logs: string[] = [];
  let clock: number | undefined;
  const notifier = await Notifier.start({
    config: notificationsConfigSchema.parse(config),
    bus,
    store: {
      rules: { get: async (id) => rules.get(id) },
      state: { get: async (k) => kv.get(k), put: async (k, v) => void kv.set(k, v) },
      ...(incidents ? { incidents } : {}),
    },
    ownerOf: (t) => (t.startsWith('203.0.113.') || t.startsWith('198.51.100.') ? 'acme' : undefined),
    policyOf: () => 'default',
    log: {
      info: (_o, m) => logs.push(m),
      warn: (o, m) => logs.push(`${m} ${JSON.stringify(o)}`),
      error: (o, m) => logs.push(`${m} ${JSON.stringify(o)}`),
    },
    now: now ?? (() => clock ?? Date.now()),
  });
  return { bus, notifier, rules, logs, setNow: (ms) => (clock = ms) };
}

export function attackEvent(
  kind: AttackEvent['kind'],
  target: string,
  at: number,
  reason = 'pps above 20',
): OpsEvent {
  return {
    type: 'attack',
    at,
    event: {
      attackId: `a-${target}`,
      kind,
      target,
      direction: 'incoming',
      family: 'dns_amplification',
      reason,
      node: 'edge-1',
      hostGroup: 'default',
      at,
      startedAt: at - 5_000,
      pps: 400_000,
      bps: 3.1e9,
      peakPps: 410_000,
      peakBps: 3.2e9,
      severity: 15,
      signature: { protocols: [17], sourcePorts: [53], coverage: 0.97 },
    },
  };
}

export function auditEvent(
  action: 'announce' | 'withdraw' | 'escalate',
  target: string,
  at: number,
  ruleId: string,
  reason = 'level 2',
): OpsEvent {
  return {
    type: 'audit',
    at,
    record: {
      at,
      actor: 'engine',
      action,
      tenant: 'acme',
      target,
      ruleId,
      attackId: `a-${target}`,
      dryRun: false,
      reason,
    },
  };
}

export function rule(id: string, target: string): Rule {
  return sampleRule(id, {
    tenant: 'acme',
    target,
    intent: 'drop',
    level: 2,
    actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }],
    createdAt: 0,
    expiresAt: 300_000,
    dryRun: false,
  });
}

/** A whole attack: start, rule announced, attack ends, rule withdrawn (resolves the incident). */
export function attackLife(target: string, t0: number, ruleId: string, reason?: string): OpsEvent[] {
  return [
    attackEvent('start', target, t0, reason),
    auditEvent('announce', target, t0 + 1_000, ruleId, reason),
    attackEvent('end', target, t0 + 60_000),
    auditEvent('withdraw', target, t0 + 360_000, ruleId),
  ];
}
