// Scenarios for `floodgate simulate`: a timed list of attack events and manual requests fed through the
// real runner and engine on a virtual clock, with dry-run adapters; every decision comes back in time
// order. The format is documented in docs/engine.md.
import { z } from 'zod';
import { DryRunAdapter } from '../adapters/dry-run.js';
import { ATTACK_FAMILIES, type AttackEvent } from '../domain/attack.js';
import { INTENTS, type EscalationLevel, type Intent } from '../domain/rule.js';
import { PrefixTrie, tryParsePrefix } from '../net/index.js';
import { VirtualClock } from './clock.js';
import { type MitigationConfig, parseMitigationConfig } from '../mitigation/config.js';
import { MemoryStore } from '../store/memory.js';
import { type DecisionRecord, MitigationRunner } from './runner.js';
import type { ManualRuleRequest, OriginState, OriginValidator } from '../mitigation/types.js';

const portList = z.union([z.number().int().min(0).max(65535), z.array(z.number().int().min(0).max(65535))]);

const eventSchema = z
  .object({
    target: z.string().describe('Attacked host or prefix.'),
    node: z.string().default('router-1').describe('Reporting node (corroboration counts distinct nodes).'),
    attackId: z.string().optional().describe('Default: "<target>@<node>".'),
    kind: z
      .enum(['start', 'update', 'end'])
      .optional()
      .describe('Default: start for a new attackId, then update.'),
    direction: z.enum(['incoming', 'outgoing']).default('incoming'),
    family: z.enum(ATTACK_FAMILIES).default('unknown'),
    hostGroup: z.string().default('default'),
    bps: z.number().nonnegative().default(0),
    pps: z.number().nonnegative().default(0),
    thresholdBps: z.number().positive().optional(),
    thresholdPps: z.number().positive().optional(),
    severity: z
      .number()
      .nonnegative()
      .optional()
      .describe('rate / threshold; default from thresholdBps or thresholdPps.'),
    signature: z
      .object({
        protocols: z.array(z.number().int().min(0).max(255)).optional(),
        sourcePorts: z.array(z.number().int().min(0).max(65535)).optional(),
        destinationPorts: z.array(z.number().int().min(0).max(65535)).optional(),
        packetLength: z.object({ min: z.number().int(), max: z.number().int() }).strict().optional(),
        tcpFlags: z.number().int().min(0).max(255).optional(),
        fragment: z.boolean().optional(),
        sourcePrefixes: z.array(z.string()).optional(),
        coverage: z.number().min(0).max(1).default(1),
      })
      .strict()
      .prefault({}),
    every: z.number().positive().optional().describe('Repeat this event every N seconds (as updates) ...'),
    until: z.number().nonnegative().optional().describe('... until this time (s), inclusive.'),
  })
  .strict()
  .refine((e) => e.severity !== undefined || e.thresholdBps !== undefined || e.thresholdPps !== undefined, {
    message: 'give severity, thresholdBps or thresholdPps',
  })
  .refine((e) => (e.every === undefined) === (e.until === undefined), {
    message: 'every and until go together',
  });

const manualSchema = z
  .object({
    target: z.string(),
    intent: z.enum(INTENTS),
    tenant: z.string().optional(),
    protocol: z
      .union([z.number().int().min(0).max(255), z.array(z.number().int().min(0).max(255))])
      .optional(),
    port: portList.optional(),
    sourcePort: portList.optional(),
    rateBitsPerSecond: z.number().nonnegative().optional(),
    ttlSeconds: z.number().int().positive().optional(),
    level: z.number().int().min(0).max(4).optional(),
    dryRun: z.boolean().optional(),
    reason: z.string().optional(),
  })
  .strict();

const stepSchema = z
  .object({
    t: z.number().nonnegative().describe('Seconds from the start of the scenario.'),
    actor: z.string().default('cli').describe('Who made a manual request.'),
    event: eventSchema.optional(),
    manual: manualSchema.optional(),
    withdraw: z
      .object({ target: z.string().optional(), ruleId: z.string().optional(), reason: z.string().optional() })
      .strict()
      .refine((w) => (w.target === undefined) !== (w.ruleId === undefined), {
        message: 'give target or ruleId',
      })
      .optional(),
    legit: z.object({ target: z.string(), bps: z.number().nonnegative() }).strict().optional(),
    config: z
      .unknown()
      .optional()
      .describe('A new mitigation section (reload), merged over the scenario config.'),
  })
  .strict()
  .refine(
    (s) => [s.event, s.manual, s.withdraw, s.legit, s.config].filter((x) => x !== undefined).length === 1,
    {
      message: 'each step has exactly one of event, manual, withdraw, legit, config',
    },
  );

export const scenarioSchema = z
  .object({
    description: z.string().optional(),
    config: z.unknown().optional().describe('The mitigation config section (defaults apply).'),
    origin: z
      .record(z.string(), z.enum(['valid', 'invalid', 'unknown']))
      .default({})
      .describe('RPKI origin state by covering prefix; others are "unknown".'),
    until: z
      .number()
      .nonnegative()
      .optional()
      .describe('Run the clock to here (s). Default: last step + TTL + 60 s.'),
    steps: z.array(stepSchema),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
type Step = z.infer<typeof stepSchema>;

export interface SimDecision {
  /** Seconds from the start. */
  readonly t: number;
  readonly action: string;
  readonly target: string;
  readonly intent?: Intent;
  readonly level?: EscalationLevel;
  readonly reason: string;
  readonly ruleId?: string;
  readonly tenant: string;
  readonly dryRun: boolean;
  readonly adapter?: string;
}

export interface SimResult {
  readonly decisions: SimDecision[];
  readonly store: MemoryStore;
  readonly runner: MitigationRunner;
  readonly config: MitigationConfig;
}

function originValidator(table: Record<string, OriginState>): OriginValidator {
  const trie = new PrefixTrie<OriginState>();
  for (const [k, v] of Object.entries(table)) {
    const p = tryParsePrefix(k);
    if (p) trie.insert(p, v);
  }
  return (prefix) => {
    const p = tryParsePrefix(prefix);
    return (p && trie.lookup(p)?.value) ?? 'unknown';
  };
}

function mergeConfig(base: unknown, over: unknown): unknown {
  if (
    typeof base !== 'object' ||
    base === null ||
    typeof over !== 'object' ||
    over === null ||
    Array.isArray(over)
  )
    return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = mergeConfig(out[k], v);
  return out;
}

interface Timed {
  readonly at: number;
  readonly order: number;
  readonly step: Step;
  readonly kind?: 'start' | 'update' | 'end';
}

function expand(steps: readonly Step[]): Timed[] {
  const out: Timed[] = [];
  steps.forEach((step, order) => {
    const e = step.event;
    if (e?.every !== undefined && e.until !== undefined) {
      for (let t = step.t; t <= e.until + 1e-9; t += e.every)
        out.push({ at: Math.round(t * 1000), order, step });
    } else out.push({ at: Math.round(step.t * 1000), order, step });
  });
  return out.sort((a, b) => a.at - b.at || a.order - b.order);
}

function toEvent(e: NonNullable<Step['event']>, at: number, seen: Set<string>): AttackEvent {
  const attackId = e.attackId ?? `${e.target}@${e.node}`;
  const kind = e.kind ?? (seen.has(attackId) ? 'update' : 'start');
  seen.add(attackId);
  const severity =
    e.severity ?? (e.thresholdBps ? e.bps / e.thresholdBps : e.pps / (e.thresholdPps as number));
  return {
    attackId,
    kind,
    target: e.target,
    direction: e.direction,
    family: e.family,
    reason: 'scenario',
    node: e.node,
    hostGroup: e.hostGroup,
    at,
    startedAt: at,
    pps: e.pps,
    bps: e.bps,
    peakPps: e.pps,
    peakBps: e.bps,
    ...(e.thresholdBps !== undefined ? { thresholdBps: e.thresholdBps } : {}),
    ...(e.thresholdPps !== undefined ? { thresholdPps: e.thresholdPps } : {}),
    severity,
    signature: e.signature,
  };
}

/** Runs a scenario (already parsed or raw JSON) and returns every decision in time order. */
export async function simulate(input: unknown): Promise<SimResult> {
  const scenario = scenarioSchema.parse(input);
  let rawConfig: unknown = scenario.config ?? {};
  const config = parseMitigationConfig(rawConfig);
  const clock = new VirtualClock(0);
  const store = new MemoryStore();
  const decisions: (SimDecision & { seq: number })[] = [];
  let seq = 0;
  const record = (d: DecisionRecord): void => {
    decisions.push({
      seq: seq++,
      t: d.at / 1000,
      action: d.action,
      target: d.target,
      ...(d.intent !== undefined ? { intent: d.intent } : {}),
      ...(d.level !== undefined ? { level: d.level } : {}),
      reason: d.reason,
      ...(d.ruleId !== undefined ? { ruleId: d.ruleId } : {}),
      tenant: d.tenant,
      dryRun: d.dryRun,
      ...(d.adapter !== undefined ? { adapter: d.adapter } : {}),
    });
  };
  const runner = new MitigationRunner({
    config,
    store,
    adapters: [new DryRunAdapter('simulated-bgp', () => clock.now())],
    dryRunAdapter: new DryRunAdapter('dry-run', () => clock.now()),
    clock,
    timer: false,
    instanceId: 'r',
    validateOrigin: originValidator(scenario.origin),
    onDecision: record,
  });
  await runner.start();

  const advanceTo = async (t: number): Promise<void> => {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const d = runner.nextDeadline();
      if (!(d <= t)) break;
      clock.set(Math.max(d, clock.now()));
      const before = d;
      runner.tick();
      await runner.idle();
      if (runner.nextDeadline() <= before && before === clock.now()) break; // nothing more can happen now
    }
    clock.set(Math.max(t, clock.now()));
  };

  const seen = new Set<string>();
  const timeline = expand(scenario.steps);
  for (const item of timeline) {
    await advanceTo(item.at);
    const s = item.step;
    if (s.event) runner.submitEvent(toEvent(s.event, item.at, seen));
    else if (s.manual) await runner.addRule(stripUndefined(s.manual) as ManualRuleRequest, s.actor);
    else if (s.legit) runner.reportLegitTraffic(s.legit.target, s.legit.bps);
    else if (s.config !== undefined) {
      rawConfig = mergeConfig(rawConfig, s.config);
      runner.reloadConfig(parseMitigationConfig(rawConfig), s.actor);
    } else if (s.withdraw) {
      const { active, queued } = runner.listRules();
      const hits = [...active, ...queued].filter((r) =>
        s.withdraw?.ruleId ? r.id === s.withdraw.ruleId : r.target === s.withdraw?.target,
      );
      if (hits.length === 0) {
        record({
          at: item.at,
          action: 'reject',
          actor: s.actor,
          tenant: '-',
          target: s.withdraw.target ?? s.withdraw.ruleId ?? '-',
          dryRun: config.dryRun,
          reason: 'withdraw: no such active or queued rule',
        });
      }
      for (const r of hits) await runner.withdrawRule(r.id, s.actor, s.withdraw.reason);
    }
    await runner.idle();
  }
  const last = timeline.length ? (timeline[timeline.length - 1] as Timed).at : 0;
  const until =
    scenario.until !== undefined ? scenario.until * 1000 : last + runner.config.ttlSeconds * 1000 + 60_000;
  await advanceTo(until);
  await runner.stop();
  decisions.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return { decisions: decisions.map(({ seq: _s, ...d }) => d), store, runner, config };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** One line per decision: "t=12.000 announce 203.0.113.5/32 rate-limit L1 — reason". */
export function formatDecision(d: SimDecision): string {
  const parts = [`t=${d.t.toFixed(3).padStart(9)}`, d.action.padEnd(11), d.target];
  if (d.intent) parts.push(d.intent);
  if (d.level !== undefined) parts.push(`L${d.level}`);
  if (d.dryRun) parts.push('[dry-run]');
  return `${parts.join(' ')} — ${d.reason}`;
}
