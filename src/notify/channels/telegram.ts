// Telegram Bot API sendMessage (POST <api>/bot<token>/sendMessage, JSON) with parse_mode HTML.
// Documented: text is 1–4096 characters after entity parsing; only <, > and & need escaping in HTML
// mode; the answer is {"ok": true, "result": Message} or {"ok": false, "error_code", "description"}.
import type { z } from 'zod';
import type { TransportOptions } from '../../adapters/http-retry.js';
import type { telegramChannelSchema } from '../config.js';
import type { Channel, Message } from '../types.js';
import { httpChannel, json, type Rendered } from './http.js';
import { digestLines, escapeHtml, factsOf, runbookOf, truncate } from './text.js';

export type TelegramConfig = z.infer<typeof telegramChannelSchema>;

export const TELEGRAM_MAX_TEXT = 4096;

/** The HTML text; the visible text (tags removed, entities decoded) stays within 4096 characters. */
export function telegramText(m: Message): string {
  const title = truncate(m.title, 200);
  const facts = factsOf(m).map(([k, v]) => [truncate(k, 60), truncate(v, 200)] as const);
  const runbook = runbookOf(m);
  const tail = [
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(runbook ? [`Runbook: ${truncate(runbook, 500)}`] : []),
  ];
  const tailLen = tail.reduce((n, l) => n + l.length + 1, 0);
  const body = m.type === 'notice' ? m.text : digestLines(m.notices).join('\n');
  const room = TELEGRAM_MAX_TEXT - title.length - tailLen - 4;
  const visibleBody = truncate(body, Math.max(0, room));
  return [
    `<b>${escapeHtml(title)}</b>`,
    '',
    escapeHtml(visibleBody),
    ...(tail.length ? ['', ...facts.map(([k, v]) => `<b>${escapeHtml(k)}</b>: ${escapeHtml(v)}`)] : []),
    ...(runbook ? [`<a href="${escapeHtml(runbook)}">Runbook</a>`] : []),
  ].join('\n');
}

export function renderTelegram(m: Message, cfg: TelegramConfig): Rendered {
  if (!cfg.botToken || !cfg.chatId) return { error: 'telegram: botToken and chatId are required' };
  return json(`${cfg.url.replace(/\/+$/, '')}/bot${cfg.botToken}/sendMessage`, {
    chat_id: cfg.chatId,
    text: telegramText(m),
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  });
}

export function telegramChannel(cfg: TelegramConfig, transport?: TransportOptions): Channel {
  return httpChannel(
    {
      name: cfg.name,
      type: 'telegram',
      retry: cfg.retry,
      render: (m) => renderTelegram(m, cfg),
      check: (res) => {
        try {
          const b = JSON.parse(res.body) as { ok?: boolean; description?: string };
          return b.ok === true ? undefined : `telegram: ${b.description ?? 'ok is not true'}`;
        } catch {
          return 'telegram: answer is not JSON';
        }
      },
    },
    transport,
  );
}
