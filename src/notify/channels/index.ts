// Builds the configured channels; one module per service, dispatched by an exhaustive map.
import type { TransportOptions } from '../../adapters/http-retry.js';
import { ConfigError } from '../../config/errors.js';
import { resolveSecret } from '../../export/secret.js';
import type { ChannelConfig } from '../config.js';
import type { Channel, ChannelType } from '../types.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { opsgenieChannel } from './opsgenie.js';
import { pagerDutyChannel } from './pagerduty.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { telegramChannel } from './telegram.js';
import { webhookChannel } from './webhook.js';

type Builders = {
  [K in ChannelType]: (cfg: Extract<ChannelConfig, { type: K }>, t: TransportOptions) => Channel;
};

const BUILDERS: Builders = {
  pagerduty: pagerDutyChannel,
  slack: slackChannel,
  discord: discordChannel,
  teams: teamsChannel,
  opsgenie: opsgenieChannel,
  telegram: telegramChannel,
  email: (cfg, t) => emailChannel(cfg, t.sleep ? { sleep: t.sleep } : {}),
  webhook: webhookChannel,
};

/** Keys whose value may be "env:NAME" (as for the export sinks), read from the environment at start. */
const SECRET_KEYS = [
  'url',
  'routingKey',
  'apiKey',
  'botToken',
  'chatId',
  'pass',
  'secret',
  'authToken',
] as const;

/**
 * Replaces "env:NAME" in a channel's secret keys with the environment variable (src/export/secret.ts),
 * so secrets can stay out of floodgate.yaml. A variable that is not set stops the start with a config
 * error naming the channel and key.
 */
export function resolveSecrets(cfg: ChannelConfig, env: NodeJS.ProcessEnv = process.env): ChannelConfig {
  const out: Record<string, unknown> = { ...cfg };
  for (const key of SECRET_KEYS) {
    const v = out[key];
    if (typeof v !== 'string') continue;
    const s = resolveSecret(v, `notifications channel "${cfg.name}": ${key}`, env);
    if (!s.ok)
      throw new ConfigError('(environment)', [
        { path: `notifications.channels[${cfg.name}].${key}`, message: s.error },
      ]);
    out[key] = s.value;
  }
  return out as ChannelConfig;
}

export function buildChannel(
  cfg: ChannelConfig,
  transport: TransportOptions = {},
  env?: NodeJS.ProcessEnv,
): Channel {
  const resolved = resolveSecrets(cfg, env);
  return (BUILDERS[resolved.type] as (c: ChannelConfig, t: TransportOptions) => Channel)(resolved, transport);
}
