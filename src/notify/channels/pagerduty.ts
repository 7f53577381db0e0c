// PagerDuty Events API v2 (POST /v2/enqueue): one PagerDuty incident per floodgate incident through the
// dedup_key; trigger while it is open, acknowledge and resolve follow it. Documented limits: summary
// ≤ 1024 characters, dedup_key ≤ 255; severity one of critical, error, warning, info; 202 = accepted.
import type { TransportOptions } from '../../adapters/http-retry.js';
import type { z } from 'zod';
import type { pagerdutyChannelSchema } from '../config.js';
import type { Channel, Message } from '../types.js';
import { httpChannel, json, type Rendered } from './http.js';
import { digestLines, factsOf, followUp, incidentKey, severityOf, truncate } from './text.js';

export type PagerDutyConfig = z.infer<typeof pagerdutyChannelSchema>;

export function renderPagerDuty(
  m: Message,
  cfg: PagerDutyConfig,
  links: { href: string; text: string }[] = [],
): Rendered {
  if (!cfg.routingKey) return { error: 'pagerduty: no routingKey configured' };
  const dedup_key = truncate(incidentKey(m), 255);
  const action = followUp(m);
  if (action) return json(cfg.url, { routing_key: cfg.routingKey, event_action: action, dedup_key });
  const at = m.type === 'notice' ? m.notice.at : m.to;
  const custom_details =
    m.type === 'notice'
      ? {
          text: m.text,
          ...Object.fromEntries(factsOf(m)),
          ...(m.incident ? { mitigation: m.incident.mitigation } : {}),
        }
      : { count: m.count, notices: digestLines(m.notices).slice(0, 100) };
  const runbook = m.type === 'notice' ? (m.notice.runbook ?? m.incident?.runbook) : undefined;
  return json(cfg.url, {
    routing_key: cfg.routingKey,
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: truncate(m.title, 1024),
      source: cfg.source,
      severity: severityOf(m),
      timestamp: new Date(at).toISOString(),
      component: m.type === 'notice' ? m.notice.subject : 'many targets',
      group: m.type === 'notice' ? m.notice.tenant : '*',
      class: m.type === 'notice' ? m.notice.kind : 'digest',
      custom_details,
    },
    client: 'floodgate',
    links: [...(runbook ? [{ href: runbook, text: 'Runbook' }] : []), ...links],
  });
}

export function pagerDutyChannel(cfg: PagerDutyConfig, transport?: TransportOptions): Channel {
  return httpChannel(
    {
      name: cfg.name,
      type: 'pagerduty',
      retry: cfg.retry,
      render: (m) => renderPagerDuty(m, cfg),
      check: (res) => {
        try {
          const b = JSON.parse(res.body) as { status?: string };
          return b.status === undefined || b.status === 'success'
            ? undefined
            : `pagerduty: status ${b.status}`;
        } catch {
          return undefined;
        }
      },
    },
    transport,
  );
}
