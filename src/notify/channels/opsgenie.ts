// Opsgenie Alert API v2: create (POST /v2/alerts) with the incident as alias, then acknowledge / close
// (POST /v2/alerts/<alias>/{acknowledge,close}?identifierType=alias). Auth: "Authorization: GenieKey
// <key>". Documented limits: message ≤ 130, alias ≤ 512, description ≤ 15000, ≤ 20 tags of ≤ 50,
// entity ≤ 512, source ≤ 100, details ≤ 8000 characters in total; priority P1–P5; 202 = accepted.
import type { z } from 'zod';
import type { TransportOptions } from '../../adapters/http-retry.js';
import type { opsgenieChannelSchema } from '../config.js';
import type { Channel, Message, Severity } from '../types.js';
import { httpChannel, json, type Rendered } from './http.js';
import { digestLines, factsOf, followUp, incidentKey, severityOf, truncate } from './text.js';

export type OpsgenieConfig = z.infer<typeof opsgenieChannelSchema>;

const PRIORITY: Record<Severity, string> = { critical: 'P1', warning: 'P3', info: 'P5' };

function details(m: Message): Record<string, string> {
  const out: Record<string, string> = {};
  let used = 0;
  for (const [k, v] of factsOf(m)) {
    const key = truncate(k, 100);
    const value = truncate(v, 1000);
    if (used + key.length + value.length > 8000) break;
    used += key.length + value.length;
    out[key] = value;
  }
  return out;
}

export function renderOpsgenie(m: Message, cfg: OpsgenieConfig): Rendered {
  if (!cfg.apiKey) return { error: 'opsgenie: no apiKey configured' };
  const base = cfg.url.replace(/\/+$/, '');
  const headers = { authorization: `GenieKey ${cfg.apiKey}` };
  const alias = truncate(incidentKey(m), 512);
  const action = followUp(m);
  if (action) {
    const verb = action === 'resolve' ? 'close' : 'acknowledge';
    return json(
      `${base}/v2/alerts/${encodeURIComponent(alias)}/${verb}?identifierType=alias`,
      { source: 'floodgate', note: truncate(m.type === 'notice' ? m.notice.title : m.title, 25_000) },
      headers,
    );
  }
  const description = m.type === 'notice' ? m.text : digestLines(m.notices).join('\n');
  return json(
    `${base}/v2/alerts`,
    {
      message: truncate(m.title, 130),
      alias,
      description: truncate(description, 15_000),
      ...(cfg.responders.length ? { responders: cfg.responders } : {}),
      tags: cfg.tags.slice(0, 20).map((t) => truncate(t, 50)),
      details: details(m),
      entity: truncate(m.type === 'notice' ? m.notice.subject : 'many targets', 512),
      source: 'floodgate',
      priority: PRIORITY[severityOf(m)],
    },
    headers,
  );
}

export function opsgenieChannel(cfg: OpsgenieConfig, transport?: TransportOptions): Channel {
  return httpChannel(
    { name: cfg.name, type: 'opsgenie', retry: cfg.retry, render: (m) => renderOpsgenie(m, cfg) },
    transport,
  );
}
