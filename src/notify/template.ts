// Message templates: "{{name}}" placeholders filled from a notice (and its incident); unknown names stay
// visible so a typo shows in the first message instead of silently vanishing. Defaults are plain words.
import type { Incident, Message, Notice } from './types.js';

export const DEFAULT_TITLE = '{{title}}';
export const DEFAULT_TEXT = '{{detail}}{{mitigationLine}}{{runbookLine}}{{incidentLine}}';

export function templateVars(
  n: Notice,
  incident: Incident | undefined,
  publicUrl: string,
): Record<string, string> {
  const base = publicUrl.replace(/\/+$/, '');
  const incidentUrl = incident && base ? `${base}/api/v1/incidents/${encodeURIComponent(incident.id)}` : '';
  const mitigation = n.mitigation ?? incident?.mitigation ?? '';
  const runbook = n.runbook ?? incident?.runbook ?? '';
  return {
    title: n.title,
    detail: n.detail,
    severity: n.severity,
    kind: n.kind,
    tenant: n.tenant,
    subject: n.subject,
    time: new Date(n.at).toISOString(),
    incident: incident?.id ?? '',
    incidentUrl,
    incidentState: incident?.state ?? '',
    mitigation,
    runbook,
    statusUrl: base && n.tenant !== '*' ? `${base}/status/${encodeURIComponent(n.tenant)}` : '',
    mitigationLine: mitigation ? `\nMitigation: ${mitigation}.` : '',
    runbookLine: runbook ? `\nRunbook: ${runbook}` : '',
    incidentLine: incident
      ? `\nIncident ${incident.id} (${incident.state})${incidentUrl ? `: ${incidentUrl}` : ''}`
      : '',
  };
}

export function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (all, name: string) => vars[name] ?? all);
}

/** A notice as one channel's message, through that channel's templates. */
export function noticeMessage(
  template: { readonly title: string; readonly text: string },
  n: Notice,
  incident: Incident | undefined,
  publicUrl: string,
): Message {
  const vars = templateVars(n, incident, publicUrl);
  return {
    type: 'notice',
    notice: n,
    ...(incident ? { incident } : {}),
    title: fill(template.title || DEFAULT_TITLE, vars),
    text: fill(template.text || DEFAULT_TEXT, vars),
  };
}
