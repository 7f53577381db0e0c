// Slack incoming webhook with Block Kit. Documented limits: ≤ 50 blocks; header text ≤ 150 characters
// (plain_text); section text ≤ 3000; ≤ 10 fields of ≤ 2000; context ≤ 10 elements; button text ≤ 75,
// url ≤ 3000. The top-level `text` is the notification fallback. A 200 with body "ok" means posted.
import type { z } from 'zod';
import type { TransportOptions } from '../../adapters/http-retry.js';
import type { slackChannelSchema } from '../config.js';
import type { Channel, Message } from '../types.js';
import { httpChannel, json, type Rendered } from './http.js';
import { digestLines, escapeSlack, factsOf, runbookOf, severityOf, truncate } from './text.js';

export type SlackConfig = z.infer<typeof slackChannelSchema>;

const ICON = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' } as const;

export function renderSlack(m: Message, cfg: SlackConfig): Rendered {
  if (!cfg.url) return { error: 'slack: no webhook url configured' };
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(m.title, 150), emoji: true } },
  ];
  if (m.type === 'notice') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeSlack(m.text), 3000) } });
    const fields = factsOf(m)
      .slice(0, 10)
      .map(([k, v]) => ({ type: 'mrkdwn', text: truncate(`*${escapeSlack(k)}*\n${escapeSlack(v)}`, 2000) }));
    if (fields.length) blocks.push({ type: 'section', fields });
  } else {
    // one section per chunk of lines, each ≤ 3000 characters, within the 50-block budget
    let chunk = '';
    const lines = digestLines(m.notices).map(escapeSlack);
    for (const line of lines) {
      if (chunk.length + line.length + 1 > 3000) {
        blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
        chunk = '';
        if (blocks.length >= 46) break;
      }
      chunk += (chunk ? '\n' : '') + truncate(line, 2999);
    }
    if (chunk && blocks.length < 47) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: truncate(`${ICON[severityOf(m)]} ${severityOf(m)} · floodgate`, 3000) },
    ],
  });
  const runbook = runbookOf(m);
  if (runbook && runbook.length <= 3000)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Runbook' }, url: runbook }],
    });
  return json(cfg.url, { text: truncate(m.title, 3000), blocks: blocks.slice(0, 50) });
}

export function slackChannel(cfg: SlackConfig, transport?: TransportOptions): Channel {
  return httpChannel(
    { name: cfg.name, type: 'slack', retry: cfg.retry, render: (m) => renderSlack(m, cfg) },
    transport,
  );
}
