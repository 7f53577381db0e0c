// Discord "Execute Webhook" (POST /api/webhooks/<id>/<token>?wait=true) with one embed. Documented
// limits: content ≤ 2000; ≤ 10 embeds; title ≤ 256; description ≤ 4096; ≤ 25 fields, name ≤ 256,
// value ≤ 1024; footer ≤ 2048; all embed text together ≤ 6000. allowed_mentions stops @everyone pings.
import type { z } from 'zod';
import type { TransportOptions } from '../../adapters/http-retry.js';
import type { discordChannelSchema } from '../config.js';
import type { Channel, Message } from '../types.js';
import { httpChannel, json, type Rendered } from './http.js';
import { SEVERITY_COLOR, digestLines, factsOf, runbookOf, severityOf, truncate } from './text.js';

export type DiscordConfig = z.infer<typeof discordChannelSchema>;

export const DISCORD_EMBED_TOTAL = 6000;

export function renderDiscord(m: Message, cfg: DiscordConfig): Rendered {
  if (!cfg.url) return { error: 'discord: no webhook url configured' };
  const title = truncate(m.title, 256);
  const footer = truncate(`floodgate · ${severityOf(m)}`, 2048);
  const fields = factsOf(m)
    .slice(0, 25)
    .map(([k, v]) => ({ name: truncate(k, 256), value: truncate(v || '-', 1024), inline: true }));
  const runbook = runbookOf(m);
  if (runbook && fields.length < 25)
    fields.push({ name: 'Runbook', value: truncate(runbook, 1024), inline: false });
  const used = title.length + footer.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const body = m.type === 'notice' ? m.text : digestLines(m.notices).join('\n');
  const description = truncate(body, Math.max(0, Math.min(4096, DISCORD_EMBED_TOTAL - used)));
  const url = cfg.url + (cfg.url.includes('?') ? '&' : '?') + 'wait=true';
  return json(url, {
    username: truncate(cfg.username, 80),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        ...(description ? { description } : {}),
        color: SEVERITY_COLOR[severityOf(m)],
        timestamp: new Date(m.type === 'notice' ? m.notice.at : m.to).toISOString(),
        fields,
        footer: { text: footer },
      },
    ],
  });
}

export function discordChannel(cfg: DiscordConfig, transport?: TransportOptions): Channel {
  return httpChannel(
    { name: cfg.name, type: 'discord', retry: cfg.retry, render: (m) => renderDiscord(m, cfg) },
    transport,
  );
}
