// The `notifications` and `statusPages` sections of floodgate.yaml: channels with their filters,
// templates and retries; incident grouping; rate limits and digests; maintenance windows; runbooks;
// public status pages per tenant. Each key has its type, default and help here (STYLE.md rule 9);
// docs/notifications.md and docs/status-pages.md explain the behaviour.
import { z } from 'zod';
import { retrySchema } from '../adapters/config-services.js';
import { NOTICE_KINDS, SEVERITIES } from './types.js';

const retry = retrySchema
  .default(retrySchema.parse({}))
  .describe('Retries with exponential backoff before a delivery goes to the dead-letter list.');

const common = {
  name: z.string().min(1).describe('Channel name, used in logs, stats and the dead-letter list.'),
  enabled: z.boolean().default(true).describe('Send to this channel.'),
  tenants: z
    .array(z.string().min(1))
    .default([])
    .describe('Only notices of these tenants ("*" = infrastructure notices). Empty = every tenant.'),
  minSeverity: z
    .enum(SEVERITIES)
    .default('info')
    .describe('Severity routing: only notices at or above this severity (info < warning < critical).'),
  kinds: z
    .array(z.enum(NOTICE_KINDS))
    .default([])
    .describe('Only these notice kinds (e.g. attack.start, rule.announce, adapter.down). Empty = all.'),
  template: z
    .object({
      title: z
        .string()
        .default('')
        .describe(
          'Title template; {{title}} {{detail}} {{severity}} {{kind}} {{tenant}} {{subject}} ... Empty = default.',
        ),
      text: z.string().default('').describe('Body template (same placeholders). Empty = default.'),
    })
    .strict()
    .prefault({})
    .describe('Message templates; placeholders are listed in docs/notifications.md.'),
  retry,
};

const url = (d: string, help: string) => z.string().default(d).describe(help);

export const pagerdutyChannelSchema = z
  .object({
    type: z.literal('pagerduty'),
    ...common,
    routingKey: z
      .string()
      .default('')
      .describe(
        'Events API v2 integration (routing) key, 32 characters; "env:NAME" reads it from the environment.',
      ),
    url: url('https://events.pagerduty.com/v2/enqueue', 'Events API v2 endpoint.'),
    source: z.string().default('floodgate').describe('payload.source: the system that saw the problem.'),
  })
  .strict();

export const slackChannelSchema = z
  .object({
    type: z.literal('slack'),
    ...common,
    url: url(
      '',
      'Incoming webhook URL (https://hooks.slack.com/services/...); it is a secret: "env:NAME" reads it from the environment.',
    ),
  })
  .strict();

export const discordChannelSchema = z
  .object({
    type: z.literal('discord'),
    ...common,
    url: url(
      '',
      'Webhook URL (https://discord.com/api/webhooks/<id>/<token>); "env:NAME": from the environment.',
    ),
    username: z.string().default('floodgate').describe('Name the messages appear from.'),
  })
  .strict();

export const teamsChannelSchema = z
  .object({
    type: z.literal('teams'),
    ...common,
    url: url(
      '',
      'Workflow ("When a Teams webhook request is received") URL; "env:NAME": from the environment.',
    ),
  })
  .strict();

export const opsgenieChannelSchema = z
  .object({
    type: z.literal('opsgenie'),
    ...common,
    apiKey: z
      .string()
      .default('')
      .describe(
        'API integration key (sent as "Authorization: GenieKey <key>"); "env:NAME": from the environment.',
      ),
    url: url('https://api.opsgenie.com', 'API base URL (https://api.eu.opsgenie.com for EU accounts).'),
    responders: z
      .array(
        z.object({ type: z.enum(['team', 'user', 'escalation', 'schedule']), name: z.string() }).strict(),
      )
      .default([])
      .describe('Responders of every alert (by name).'),
    tags: z.array(z.string().max(50)).max(20).default(['floodgate']).describe('Alert tags.'),
  })
  .strict();

export const telegramChannelSchema = z
  .object({
    type: z.literal('telegram'),
    ...common,
    botToken: z
      .string()
      .default('')
      .describe('Bot token from @BotFather ("123456:ABC..."); "env:NAME": from the environment.'),
    chatId: z.string().default('').describe('Target chat: numeric id or @channelusername.'),
    url: url('https://api.telegram.org', 'Bot API base URL.'),
  })
  .strict();

export const emailChannelSchema = z
  .object({
    type: z.literal('email'),
    ...common,
    host: z.string().default('127.0.0.1').describe('SMTP server.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(587)
      .describe('SMTP port (587 submission with STARTTLS).'),
    secure: z
      .boolean()
      .default(false)
      .describe('Implicit TLS from the first byte (port 465). false = STARTTLS.'),
    requireTls: z
      .boolean()
      .default(true)
      .describe('Refuse to send unless the server upgrades with STARTTLS (never mail in clear).'),
    user: z.string().default('').describe('SMTP AUTH user; empty = no authentication.'),
    pass: z.string().default('').describe('SMTP AUTH password ("env:NAME": from the environment).'),
    from: z.string().default('floodgate@localhost').describe('From address.'),
    to: z.array(z.string().min(3)).default([]).describe('Recipients.'),
    caFile: z
      .string()
      .default('')
      .describe('PEM file of a CA to trust for the server certificate (private CA).'),
    servername: z.string().default('').describe('TLS server name to verify (default: host).'),
  })
  .strict();

export const webhookChannelSchema = z
  .object({
    type: z.literal('webhook'),
    ...common,
    url: url('', 'Endpoint receiving POSTed notices (docs/notifications.md).'),
    secret: z
      .string()
      .default('')
      .describe(
        'HMAC-SHA256 signing secret, as for the webhook adapter ("env:NAME": from the environment). Empty = unsigned.',
      ),
    authToken: z.string().default('').describe('Sent as "Authorization: Bearer <token>" when set.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra headers on every request.'),
  })
  .strict();

export const channelSchema = z.discriminatedUnion('type', [
  pagerdutyChannelSchema,
  slackChannelSchema,
  discordChannelSchema,
  teamsChannelSchema,
  opsgenieChannelSchema,
  telegramChannelSchema,
  emailChannelSchema,
  webhookChannelSchema,
]);
export type ChannelConfig = z.infer<typeof channelSchema>;

export const maintenanceWindowSchema = z
  .object({
    name: z.string().min(1).describe('What the maintenance is.'),
    targets: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'Prefixes (a notice on any overlapping prefix is muted), "adapter:<name>", "bgp:<peer>", or "*".',
      ),
    start: z.iso.datetime({ offset: true }).describe('Start, ISO 8601 (2026-12-03T22:00:00Z).'),
    end: z.iso.datetime({ offset: true }).describe('End, ISO 8601.'),
  })
  .strict();
export type MaintenanceWindowConfig = z.infer<typeof maintenanceWindowSchema>;

export const notificationsConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Turn notifications and incident tracking on.'),
    publicUrl: z
      .string()
      .default('')
      .describe(
        'Base URL people reach floodgate at (links to incidents and status pages). Empty = no links.',
      ),
    incidents: z
      .object({
        groupWindowMs: z
          .number()
          .int()
          .min(0)
          .default(15 * 60_000)
          .describe(
            'Events on overlapping targets within this time of an incident\u2019s last update join it.',
          ),
        timelineLimit: z.number().int().min(10).default(200).describe('Timeline entries kept per incident.'),
        staleAfterMs: z
          .number()
          .int()
          .min(60_000)
          .default(3_600_000)
          .describe(
            'An open incident with no rule in place and no news (not even attack updates) for this long resolves itself.',
          ),
      })
      .strict()
      .prefault({})
      .describe('How related events group into incidents.'),
    rateLimit: z
      .object({
        burst: z
          .number()
          .int()
          .min(1)
          .default(5)
          .describe('Messages a channel may send at once before the limit applies.'),
        perMinute: z
          .number()
          .min(0)
          .default(2)
          .describe('Sustained messages per minute per channel once the burst is spent.'),
        digestIntervalMs: z
          .number()
          .int()
          .min(1000)
          .default(60_000)
          .describe('Notices held back by the limit are sent as one digest per channel this often.'),
      })
      .strict()
      .prefault({})
      .describe('Storm protection: a burst, then a sustained rate; the rest is coalesced into digests.'),
    runbooks: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Escalation policy name -> runbook URL, attached to notices and incidents of that policy.'),
    maintenance: z
      .array(maintenanceWindowSchema)
      .default([])
      .describe('Maintenance windows: notices for these targets are recorded but not sent.'),
    deadLetterLimit: z
      .number()
      .int()
      .min(10)
      .default(1000)
      .describe('Dead letters kept (oldest dropped first).'),
    channels: z.array(channelSchema).default([]).describe('Where notices go.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.channels.forEach((ch, i) => {
      if (seen.has(ch.name))
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'name'],
          message: `duplicate channel name "${ch.name}"`,
        });
      seen.add(ch.name);
    });
    c.maintenance.forEach((w, i) => {
      if (Date.parse(w.end) <= Date.parse(w.start))
        ctx.addIssue({ code: 'custom', path: ['maintenance', i, 'end'], message: 'end must be after start' });
    });
  })
  .prefault({});
export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export const statusPageSchema = z
  .object({
    title: z.string().default('').describe('Page title (default: "<tenant> status").'),
    showAddresses: z
      .boolean()
      .default(false)
      .describe('Show attacked addresses and prefixes. false: "one of your addresses" instead.'),
    description: z.string().default('').describe('A sentence under the title.'),
  })
  .strict();

export const statusPagesConfigSchema = z
  .object({
    tenants: z
      .record(z.string().min(1), statusPageSchema.prefault({}))
      .default({})
      .describe('Tenants whose public status page is served at /status/<tenant> without login (opt-in).'),
    historyDays: z.number().int().min(1).max(366).default(90).describe('Days of incident history shown.'),
    refreshSeconds: z
      .number()
      .int()
      .min(5)
      .default(30)
      .describe('Reload interval for browsers without JavaScript (with JavaScript, updates are pushed).'),
  })
  .strict()
  .prefault({});
export type StatusPagesConfig = z.infer<typeof statusPagesConfigSchema>;
