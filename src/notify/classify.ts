// OpsEvent -> Notice: decides which operational events are worth telling a person, with what severity,
// and says it in plain words. Pure: the shell looks up the rule behind an audit record (for its intent)
// and passes it in. Events nobody needs to hear about (attack updates, refresh, queue, config) map to
// undefined.
import type { AttackEvent } from '../domain/attack.js';
import type { AuditRecord } from '../domain/audit.js';
import type { OpsEvent } from '../domain/events.js';
import type { Rule } from '../domain/rule.js';
import type { Notice, NoticeKind, Severity } from './types.js';
import { INTENT_WORDS, familyWords, formatBits, formatDuration, formatPackets } from './words.js';

export interface ClassifyContext {
  /** Tenant owning a target prefix; undefined = not in any tenant network. */
  readonly ownerOf: (target: string) => string | undefined;
  /** Escalation policy of a host group. */
  readonly policyOf: (hostGroup: string) => string;
  readonly runbooks: Readonly<Record<string, string>>;
  /** The rule an audit record names, when the store has it. */
  readonly rule?: Rule;
}

/** An audit record of a send that failed carries this in its reason (src/mitigation/runner.ts toAudit). */
const FAILED_MARK = ' — FAILED: ';

function attackNotice(e: AttackEvent, ctx: ClassifyContext): Notice | undefined {
  if (e.kind === 'update') return undefined;
  const tenant = ctx.ownerOf(e.target) ?? 'default';
  const policy = ctx.policyOf(e.hostGroup);
  const what = familyWords(e.family);
  const facts: Record<string, string> = {
    Target: e.target,
    Attack: what,
    Rate: `${formatBits(e.bps)}, ${formatPackets(e.pps)}`,
    Peak: `${formatBits(e.peakBps)}, ${formatPackets(e.peakPps)}`,
    Seen_by: e.node,
  };
  const runbook = ctx.runbooks[policy];
  const base = {
    at: e.at,
    tenant,
    subject: e.target,
    attackId: e.attackId,
    policy,
    family: e.family,
    bps: e.bps,
    pps: e.pps,
    ...(runbook ? { runbook } : {}),
  };
  if (e.kind === 'start') {
    return {
      ...base,
      kind: 'attack.start',
      severity: e.severity >= 10 ? 'critical' : 'warning',
      title: `${capital(what)} on ${e.target} (${formatBits(e.bps)})`,
      detail: `A ${what} against ${e.target} started at ${new Date(e.startedAt).toISOString()}: ${formatBits(e.bps)}, ${formatPackets(e.pps)}, ${e.severity.toFixed(1)}x the threshold. ${e.reason}`,
      facts,
    };
  }
  return {
    ...base,
    kind: 'attack.end',
    severity: 'info',
    title: `${capital(what)} on ${e.target} ended`,
    detail: `The ${what} against ${e.target} ended after ${formatDuration(e.at - e.startedAt)}; peak ${formatBits(e.peakBps)}, ${formatPackets(e.peakPps)}.`,
    facts: { ...facts, Duration: formatDuration(e.at - e.startedAt) },
  };
}

const AUDIT_KINDS: Partial<Record<AuditRecord['action'], { kind: NoticeKind; severity: Severity }>> = {
  announce: { kind: 'rule.announce', severity: 'warning' },
  escalate: { kind: 'attack.escalate', severity: 'critical' },
  'de-escalate': { kind: 'rule.de-escalate', severity: 'info' },
  withdraw: { kind: 'rule.withdraw', severity: 'info' },
  rollback: { kind: 'rule.rollback', severity: 'warning' },
  alert: { kind: 'alert', severity: 'warning' },
  reject: { kind: 'rule.rejected', severity: 'warning' },
  retry: { kind: 'rule.failed', severity: 'critical' },
};

function auditNotice(r: AuditRecord, ctx: ClassifyContext): Notice | undefined {
  const mapped = AUDIT_KINDS[r.action];
  if (!mapped || r.target === undefined) return undefined;
  const failed = r.reason.includes(FAILED_MARK);
  const kind: NoticeKind = failed && r.action !== 'withdraw' ? 'rule.failed' : mapped.kind;
  const severity: Severity = failed ? 'critical' : mapped.severity;
  const rule = ctx.rule && ctx.rule.id === r.ruleId ? ctx.rule : undefined;
  const doing = rule
    ? INTENT_WORDS[rule.intent] + (r.dryRun ? ' (test mode: the rule is logged, not deployed)' : '')
    : undefined;
  const dry = r.dryRun ? ' (dry run: nothing was sent to the routers)' : '';
  const facts: Record<string, string> = { Target: r.target, Tenant: r.tenant };
  if (rule) facts.Mitigation = `${rule.intent}, level ${rule.level}`;
  if (r.adapter) facts.Adapter = r.adapter;
  if (r.ruleId) facts.Rule = r.ruleId;
  let title: string;
  let mitigation: string | undefined;
  switch (kind) {
    case 'rule.announce':
    case 'attack.escalate':
    case 'rule.de-escalate':
    case 'rule.rollback':
      title =
        kind === 'rule.announce'
          ? `Mitigation on ${r.target}: ${rule?.intent ?? 'rule'} announced${r.dryRun ? ' (dry run)' : ''}`
          : kind === 'attack.escalate'
            ? `Attack on ${r.target} grew: escalated to ${rule ? `${rule.intent} (level ${rule.level})` : 'the next level'}`
            : kind === 'rule.de-escalate'
              ? `Attack on ${r.target} subsided: stepped down to ${rule?.intent ?? 'a lower level'}`
              : `Mitigation on ${r.target} rolled back to a narrower rule`;
      mitigation = doing;
      break;
    case 'rule.withdraw':
      title = `Mitigation on ${r.target} withdrawn`;
      break;
    case 'rule.failed':
      title = `Mitigation on ${r.target} FAILED to deploy`;
      break;
    case 'rule.rejected':
      title = `Mitigation on ${r.target} refused by a safety guard`;
      break;
    default:
      title = `Attack on ${r.target}: alert only, no rule`;
  }
  return {
    kind,
    severity,
    at: r.at,
    tenant: r.tenant,
    subject: r.target,
    title,
    detail: `${r.reason}${dry}.`,
    ...(r.attackId ? { attackId: r.attackId } : {}),
    ...(r.ruleId ? { ruleId: r.ruleId } : {}),
    facts,
    ...(mitigation ? { mitigation } : {}),
    ...(r.dryRun ? { dryRun: true } : {}),
    // make-before-break: the engine withdraws the rule an escalation replaced (runner.ts "replaced by")
    ...(kind === 'rule.withdraw' && r.reason.startsWith('replaced by ') ? { quiet: true } : {}),
  };
}

function infra(
  kind: NoticeKind,
  severity: Severity,
  at: number,
  subject: string,
  title: string,
  detail: string,
): Notice {
  return { kind, severity, at, tenant: '*', subject, title, detail, facts: { Component: subject } };
}

export function classify(event: OpsEvent, ctx: ClassifyContext): Notice | undefined {
  switch (event.type) {
    case 'attack':
      return attackNotice(event.event, ctx);
    case 'audit':
      return auditNotice(event.record, ctx);
    case 'adapter':
      return event.state === 'down'
        ? infra(
            'adapter.down',
            'critical',
            event.at,
            `adapter:${event.adapter}`,
            `Adapter ${event.adapter} is DOWN`,
            event.detail ?? 'health check failed; rules move to a healthy adapter if one exists',
          )
        : infra(
            'adapter.up',
            'info',
            event.at,
            `adapter:${event.adapter}`,
            `Adapter ${event.adapter} is up again`,
            event.detail ?? 'health check passed',
          );
    case 'bgp-session':
      return event.state === 'down'
        ? infra(
            'bgp.down',
            'critical',
            event.at,
            `bgp:${event.peer}`,
            `BGP session with ${event.peer} is DOWN`,
            event.detail ?? 'the session left Established; routes through it are gone',
          )
        : infra(
            'bgp.up',
            'info',
            event.at,
            `bgp:${event.peer}`,
            `BGP session with ${event.peer} is Established`,
            event.detail ?? 'session up',
          );
    case 'exporter':
      return event.state === 'silent'
        ? infra(
            'exporter.silent',
            'warning',
            event.at,
            `exporter:${event.exporter}`,
            `Flow exporter ${event.exporter} went silent`,
            `no datagram for ${formatDuration(event.silentForMs ?? 0)}: attacks through it cannot be seen`,
          )
        : infra(
            'exporter.back',
            'info',
            event.at,
            `exporter:${event.exporter}`,
            `Flow exporter ${event.exporter} is sending again`,
            'datagrams arrive again',
          );
    case 'rpki':
      return event.state === 'stale'
        ? infra(
            'rpki.stale',
            'warning',
            event.at,
            'rpki',
            'RPKI data is stale',
            event.detail ?? 'origin validation data is older than its expiry',
          )
        : infra(
            'rpki.fresh',
            'info',
            event.at,
            'rpki',
            'RPKI data is fresh again',
            event.detail ?? 'origin validation data refreshed',
          );
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
