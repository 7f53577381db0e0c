// Builds the configured channels; one module per service, dispatched by an exhaustive map.
import type { TransportOptions } from '../../adapters/http-retry.js';
import { ConfigError } from '../../config/errors.js';
import { resolveSecret } from '../../export/secret.js';
import type { ChannelConfig } from '../config.js';
import type { Channel, ChannelType } from '../types.js';

type Builder<K extends ChannelType> = (
  cfg: Extract<ChannelConfig, { type: K }>,
  t: TransportOptions,
) => Channel;

/**
 * One loader per channel type: a channel's module (and its client: nodemailer for email, undici for the
 * HTTP services) is imported only when a channel of that type is configured (docs/performance.md "Memory").
 */
export type ChannelLoaders = { [K in ChannelType]: () => Promise<Builder<K>> };

export const CHANNEL_LOADERS: ChannelLoaders = {
  pagerduty: async () => (await import('./pagerduty.js')).pagerDutyChannel,
  slack: async () => (await import('./slack.js')).slackChannel,
  discord: async () => (await import('./discord.js')).discordChannel,
  teams: async () => (await import('./teams.js')).teamsChannel,
  opsgenie: async () => (await import('./opsgenie.js')).opsgenieChannel,
  telegram: async () => (await import('./telegram.js')).telegramChannel,
  email: async () => {
    const { emailChannel } = await import('./email.js');
    return (cfg, t) => emailChannel(cfg, t.sleep ? { sleep: t.sleep } : {});
  },
  webhook: async () => (await import('./webhook.js')).webhookChannel,
};

/** The npm package a channel type needs beyond this package's own code, named when it cannot be loaded. */
const CLIENT: Record<ChannelType, string> = {
  pagerduty: 'undici',
  slack: 'undici',
  discord: 'undici',
  teams: 'undici',
  opsgenie: 'undici',
  telegram: 'undici',
  email: 'nodemailer',
  webhook: 'undici',
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

export async function buildChannel(
  cfg: ChannelConfig,
  transport: TransportOptions = {},
  env?: NodeJS.ProcessEnv,
  loaders: ChannelLoaders = CHANNEL_LOADERS,
): Promise<Channel> {
  const resolved = resolveSecrets(cfg, env);
  let build: (c: ChannelConfig, t: TransportOptions) => Channel;
  try {
    build = (await loaders[resolved.type]()) as (c: ChannelConfig, t: TransportOptions) => Channel;
  } catch (err) {
    throw new Error(
      `notifications channel "${cfg.name}" (${cfg.type}): could not load its module (npm package "${CLIENT[cfg.type]}"): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return build(resolved, transport);
}
