// Incidents: related notices (same attack or rule, or overlapping target prefixes within the group
// window) collapse into one incident with a timeline. Pure functions over plain data: the shell keeps
// the open incidents in memory, persists each changed one and passes `now` and ids in.
import { prefixOverlaps, tryParsePrefix } from '../net/index.js';
import type { Incident, IncidentEffect, Notice, NoticeKind, TimelineEntry } from './types.js';
import { severityRank } from './types.js';
import { MONITORING, NO_MITIGATION, familyWords, formatBits, formatDuration } from './words.js';

export interface IncidentOptions {
  readonly groupWindowMs: number;
  readonly timelineLimit: number;
}

/** Whether an open incident has gone quiet: nothing active on it and no news since `staleAfterMs`. */
export function isStale(i: Incident, lastSeen: number, now: number, staleAfterMs: number): boolean {
  return (
    i.state !== 'resolved' &&
    i.activeRules.length === 0 &&
    now - Math.max(i.updatedAt, lastSeen) >= staleAfterMs
  );
}

/** Notices that open an incident when none matches; the others only join an existing one. */
const OPENS: ReadonlySet<NoticeKind> = new Set<NoticeKind>([
  'attack.start',
  'attack.escalate',
  'rule.announce',
  'rule.failed',
  'rule.rejected',
  'rule.rollback',
  'alert',
  'adapter.down',
  'bgp.down',
  'exporter.silent',
  'rpki.stale',
]);

/** Infrastructure notices that end their incident. */
const RECOVERS: ReadonlySet<NoticeKind> = new Set<NoticeKind>([
  'adapter.up',
  'bgp.up',
  'exporter.back',
  'rpki.fresh',
]);

function subjectsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = tryParsePrefix(a, { strict: false });
  const pb = tryParsePrefix(b, { strict: false });
  return pa !== undefined && pb !== undefined && prefixOverlaps(pa, pb);
}

/** The wider of two overlapping subjects (the covering prefix). */
function wider(a: string, b: string): string {
  const pa = tryParsePrefix(a, { strict: false });
  const pb = tryParsePrefix(b, { strict: false });
  if (!pa || !pb) return a;
  return pb.length < pa.length ? b : a;
}

/** The open incident a notice belongs to, if any: same attack or rule first, then overlapping subject in time. */
export function findIncident(
  open: readonly Incident[],
  n: Notice,
  opts: IncidentOptions,
): Incident | undefined {
  const live = open.filter((i) => i.state !== 'resolved' && i.tenant === n.tenant);
  const byId = live.find(
    (i) =>
      (n.attackId !== undefined && i.attackIds.includes(n.attackId)) ||
      (n.ruleId !== undefined && i.activeRules.includes(n.ruleId)),
  );
  if (byId) return byId;
  return live.find((i) => subjectsOverlap(i.subject, n.subject) && n.at - i.updatedAt <= opts.groupWindowMs);
}

/** Words for the public status page: no addresses, no adapter names, no internal reasons. */
export function publicText(n: Notice, incident: Incident | undefined): string | undefined {
  const mitigation = n.mitigation;
  switch (n.kind) {
    case 'attack.start':
      return `Attack detected: ${familyWords(n.family ?? 'unknown')}${n.bps !== undefined ? ` at ${formatBits(n.bps)}` : ''}.`;
    case 'alert':
      return 'Unusual traffic observed; our systems are watching it.';
    case 'rule.announce':
      return `Mitigation started: ${mitigation ?? 'filtering rules deployed'}.`;
    case 'attack.escalate':
      return `The attack grew; mitigation stepped up: ${mitigation ?? 'stronger filtering'}.`;
    case 'rule.de-escalate':
      return `The attack subsided; mitigation stepped down: ${mitigation ?? 'lighter filtering'}.`;
    case 'rule.rollback':
      return 'Mitigation narrowed to spare legitimate traffic.';
    case 'rule.withdraw':
      return incident && incident.activeRules.length === 0 ? 'Mitigation removed.' : undefined;
    case 'attack.end':
      return `The attack ended${incident ? ` after ${formatDuration(n.at - incident.openedAt)}` : ''}.`;
    case 'incident.acknowledged':
      return 'Our team is investigating.';
    case 'incident.resolved':
      return 'Resolved.';
    default:
      return undefined;
  }
}

function entry(n: Notice, muted: boolean, after: Incident | undefined): TimelineEntry {
  const pub = publicText(n, after);
  return {
    at: n.at,
    kind: n.kind,
    text: n.title,
    ...(pub ? { publicText: pub } : {}),
    ...(muted ? { muted } : {}),
  };
}

function add<T>(list: readonly T[], v: T | undefined): readonly T[] {
  return v === undefined || list.includes(v) ? list : [...list, v];
}
function remove<T>(list: readonly T[], v: T | undefined): readonly T[] {
  return v === undefined ? list : list.filter((x) => x !== v);
}

export interface Applied {
  readonly incident: Incident;
  readonly effect: IncidentEffect;
}

/**
 * Applies a notice: joins the matching open incident or opens a new one (for the kinds that open),
 * and resolves it when nothing is left active. Returns undefined when the notice belongs to no incident.
 */
export function applyNotice(
  open: readonly Incident[],
  n: Notice,
  opts: IncidentOptions & { readonly newId: () => string; readonly muted?: boolean },
): Applied | undefined {
  const found = findIncident(open, n, opts);
  if (!found && !OPENS.has(n.kind)) return undefined;
  const base: Incident = found ?? {
    id: opts.newId(),
    tenant: n.tenant,
    subject: n.subject,
    state: 'open',
    severity: n.severity,
    title: n.title,
    openedAt: n.at,
    updatedAt: n.at,
    attackIds: [],
    activeAttacks: [],
    activeRules: [],
    mitigation: NO_MITIGATION,
    families: [],
    peakBps: 0,
    peakPps: 0,
    timeline: [],
  };
  let activeAttacks = base.activeAttacks;
  let activeRules = base.activeRules;
  if (n.kind === 'attack.start') activeAttacks = add(activeAttacks, n.attackId);
  if (n.kind === 'attack.end') activeAttacks = remove(activeAttacks, n.attackId);
  const deploys = ['rule.announce', 'attack.escalate', 'rule.de-escalate', 'rule.rollback'].includes(n.kind);
  if (deploys) activeRules = add(activeRules, n.ruleId);
  if (n.kind === 'rule.withdraw') activeRules = remove(activeRules, n.ruleId);

  let mitigation = base.mitigation;
  if (deploys && n.mitigation) mitigation = n.mitigation;
  else if (activeRules.length === 0 && activeAttacks.length > 0) mitigation = MONITORING;
  else if (activeRules.length === 0) mitigation = NO_MITIGATION;
  else if (n.kind === 'attack.end' && activeAttacks.length === 0)
    mitigation = `${mitigation.replace(/; the attack has ended.*$/, '')}; the attack has ended, the rule stays until its timer runs out`;

  const isTraffic = !n.subject.includes(':') || tryParsePrefix(n.subject, { strict: false }) !== undefined;
  const resolves = isTraffic
    ? found !== undefined &&
      (n.kind === 'attack.end' || n.kind === 'rule.withdraw') &&
      activeAttacks.length === 0 &&
      activeRules.length === 0
    : RECOVERS.has(n.kind);

  const policy = base.policy ?? n.policy;
  const runbook = base.runbook ?? n.runbook;
  const next: Incident = {
    ...base,
    subject: found ? wider(base.subject, n.subject) : base.subject,
    severity: severityRank(n.severity) > severityRank(base.severity) ? n.severity : base.severity,
    updatedAt: Math.max(base.updatedAt, n.at),
    attackIds: add(base.attackIds, n.attackId),
    activeAttacks,
    activeRules,
    mitigation,
    families: add(base.families, n.family),
    peakBps: Math.max(base.peakBps, n.bps ?? 0),
    peakPps: Math.max(base.peakPps, n.pps ?? 0),
    ...(policy !== undefined ? { policy } : {}),
    ...(runbook !== undefined ? { runbook } : {}),
    ...(resolves ? { state: 'resolved' as const, resolvedAt: n.at, resolvedBy: 'floodgate' } : {}),
  };
  const withEntry: Incident = {
    ...next,
    timeline: [...base.timeline, entry(n, opts.muted === true, next)].slice(-opts.timelineLimit),
  };
  return { incident: withEntry, effect: !found ? 'opened' : resolves ? 'resolved' : 'updated' };
}

/** Operator acknowledgement (API). A resolved incident cannot be acknowledged. */
export function acknowledge(i: Incident, by: string, at: number, note?: string): Incident | undefined {
  if (i.state !== 'open') return undefined;
  const text = `Acknowledged by ${by}${note ? `: ${note}` : ''}`;
  return {
    ...i,
    state: 'acknowledged',
    acknowledgedAt: at,
    acknowledgedBy: by,
    updatedAt: at,
    timeline: [
      ...i.timeline,
      { at, kind: 'incident.acknowledged', text, publicText: 'Our team is investigating.' },
    ],
  };
}

/** Operator resolution (API): closes the incident whatever is still active. */
export function resolve(i: Incident, by: string, at: number, note?: string): Incident | undefined {
  if (i.state === 'resolved') return undefined;
  const text = `Resolved by ${by}${note ? `: ${note}` : ''}`;
  return {
    ...i,
    state: 'resolved',
    resolvedAt: at,
    resolvedBy: by,
    updatedAt: at,
    timeline: [...i.timeline, { at, kind: 'incident.resolved', text, publicText: 'Resolved.' }],
  };
}
