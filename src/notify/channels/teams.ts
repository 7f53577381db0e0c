// Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received" -> post card):
// a message activity carrying one Adaptive Card (schema 1.4) attachment. Documented limit: the message
// is at most 28 KB; the workflow answers 202 Accepted. The card text shrinks until the JSON fits.
import type { z } from 'zod';
import type { TransportOptions } from '../../adapters/http-retry.js';
import type { teamsChannelSchema } from '../config.js';
import type { Channel, Message } from '../types.js';
import { httpChannel, json, type Rendered } from './http.js';
import { digestLines, factsOf, runbookOf, severityOf, truncate } from './text.js';

export type TeamsConfig = z.infer<typeof teamsChannelSchema>;

export const TEAMS_MAX_BYTES = 28 * 1024;

const COLOR = { info: 'Accent', warning: 'Warning', critical: 'Attention' } as const;

function card(m: Message, textLimit: number): unknown {
  const text = m.type === 'notice' ? m.text : digestLines(m.notices).join('\n\n');
  const runbook = runbookOf(m);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: m.title,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              color: COLOR[severityOf(m)],
            },
            { type: 'TextBlock', text: truncate(text, textLimit), wrap: true },
            ...(m.type === 'notice'
              ? [{ type: 'FactSet', facts: factsOf(m).map(([title, value]) => ({ title, value })) }]
              : []),
          ],
          ...(runbook ? { actions: [{ type: 'Action.OpenUrl', title: 'Runbook', url: runbook }] } : {}),
        },
      },
    ],
  };
}

export function renderTeams(m: Message, cfg: TeamsConfig): Rendered {
  if (!cfg.url) return { error: 'teams: no workflow url configured' };
  let limit = 20_000;
  for (;;) {
    const spec = json(cfg.url, card(m, limit));
    if (Buffer.byteLength(spec.body ?? '') <= TEAMS_MAX_BYTES || limit < 100) return spec;
    limit = Math.floor(limit / 2);
  }
}

export function teamsChannel(cfg: TeamsConfig, transport?: TransportOptions): Channel {
  return httpChannel(
    { name: cfg.name, type: 'teams', retry: cfg.retry, render: (m) => renderTeams(m, cfg) },
    transport,
  );
}
