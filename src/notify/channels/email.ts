// Email over SMTP with nodemailer: submission with STARTTLS required by default (RFC 3207), SMTP AUTH
// (RFC 4954) when a user is set, a plain-text and an HTML part (multipart/alternative, RFC 2046 §5.1.4).
// Retries: 4xx replies and connection errors are transient (RFC 5321 §4.2.1), 5xx are final.
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { z } from 'zod';
import { backoffDelay } from '../../adapters/http-retry.js';
import type { emailChannelSchema } from '../config.js';
import type { Channel, DeliveryResult, Message } from '../types.js';
import { digestLines, escapeHtml, factsOf, runbookOf, severityOf, truncate } from './text.js';

export type EmailConfig = z.infer<typeof emailChannelSchema>;

export interface Email {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const COLOR = { info: '#2e86de', warning: '#f39c12', critical: '#e74c3c' } as const;

export function renderEmail(m: Message): Email {
  const subject = truncate(`[floodgate ${severityOf(m)}] ${m.title}`.replace(/[\r\n]+/g, ' '), 200);
  const facts = factsOf(m);
  const runbook = runbookOf(m);
  const body = m.type === 'notice' ? m.text : digestLines(m.notices).join('\n');
  const text = [
    m.title,
    '',
    body,
    ...(facts.length ? ['', ...facts.map(([k, v]) => `${k}: ${v}`)] : []),
    ...(runbook ? ['', `Runbook: ${runbook}`] : []),
    '',
    '-- floodgate',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2 style="color:${COLOR[severityOf(m)]}">${escapeHtml(m.title)}</h2>
<p style="white-space:pre-wrap">${escapeHtml(body)}</p>
${facts.length ? `<table>${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>` : ''}
${runbook ? `<p><a href="${escapeHtml(runbook)}">Runbook</a></p>` : ''}
<p style="color:#888">floodgate</p></body></html>`;
  return { subject, text, html };
}

export function emailChannel(
  cfg: EmailConfig,
  opts: { sleep?: (ms: number) => Promise<void>; random?: () => number } = {},
): Channel {
  const transport = nodemailer.createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    requireTLS: cfg.requireTls && !cfg.secure,
    ...(cfg.user ? { auth: { user: cfg.user, pass: cfg.pass } } : {}),
    connectionTimeout: cfg.retry.timeoutMs,
    greetingTimeout: cfg.retry.timeoutMs,
    socketTimeout: cfg.retry.timeoutMs,
    tls: {
      ...(cfg.caFile ? { ca: [readFileSync(cfg.caFile)] } : {}),
      ...(cfg.servername ? { servername: cfg.servername } : {}),
    },
  });
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    name: cfg.name,
    type: 'email',
    async deliver(m: Message): Promise<DeliveryResult> {
      if (cfg.to.length === 0)
        return { ok: false, attempts: 0, error: 'email: no recipients (to)', retryable: false };
      const mail = renderEmail(m);
      for (let attempt = 1; ; attempt++) {
        try {
          const info = await transport.sendMail({ from: cfg.from, to: [...cfg.to], ...mail });
          return { ok: true, attempts: attempt, detail: String(info.response) };
        } catch (err) {
          const e = err as { responseCode?: number; message?: string; code?: string };
          const permanent = e.responseCode !== undefined && e.responseCode >= 500;
          const error = `email: ${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}`;
          if (permanent || attempt >= cfg.retry.attempts)
            return { ok: false, attempts: attempt, error, retryable: !permanent };
          await sleep(backoffDelay(cfg.retry, attempt - 1, opts.random ?? Math.random));
        }
      }
    },
    close: async () => transport.close(),
  };
}
