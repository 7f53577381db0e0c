// Text helpers for channel renderers: truncation that counts what the vendor counts (UTF-16 code
// units for JSON strings, as JavaScript and the vendors' limits do), escaping per markup.
import type { Message, Notice, Severity } from '../types.js';

/** At most `max` characters, ending in "…" when cut; never splits a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = Math.max(0, max - 1);
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return s.slice(0, cut) + '…';
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Slack mrkdwn: only &, < and > are control characters. */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const SEVERITY_COLOR: Record<Severity, number> = {
  info: 0x2e86de,
  warning: 0xf39c12,
  critical: 0xe74c3c,
};

export function severityOf(m: Message): Severity {
  return m.type === 'notice' ? m.notice.severity : m.severity;
}

/** Facts of a notice as label/value pairs (underscores in labels become spaces). */
export function factsOf(m: Message): [string, string][] {
  if (m.type !== 'notice') return [];
  const out: [string, string][] = Object.entries(m.notice.facts).map(([k, v]) => [k.replace(/_/g, ' '), v]);
  out.push(['Severity', m.notice.severity]);
  if (m.incident) out.push(['Incident', `${m.incident.id} (${m.incident.state})`]);
  return out;
}

/** Lines of a digest, one per held-back notice. */
export function digestLines(notices: readonly Notice[]): string[] {
  return notices.map((n) => `${new Date(n.at).toISOString().slice(11, 19)} [${n.severity}] ${n.title}`);
}

export function runbookOf(m: Message): string | undefined {
  return m.type === 'notice' ? (m.notice.runbook ?? m.incident?.runbook) : undefined;
}

/** A stable key for the incident a message is about (PagerDuty dedup_key, Opsgenie alias). */
export function incidentKey(m: Message): string {
  if (m.type === 'digest') return `floodgate-digest-${m.from}`;
  const n = m.notice;
  return n.incidentId ? `floodgate-${n.incidentId}` : `floodgate-${n.tenant}-${n.subject}`;
}

/** Follow-up action for incident-aware services: the incident was resolved or acknowledged. */
export function followUp(m: Message): 'resolve' | 'acknowledge' | undefined {
  if (m.type !== 'notice') return undefined;
  if (m.notice.incidentEffect === 'resolved' || m.notice.kind === 'incident.resolved') return 'resolve';
  if (m.notice.incidentEffect === 'acknowledged' || m.notice.kind === 'incident.acknowledged')
    return 'acknowledge';
  return undefined;
}
