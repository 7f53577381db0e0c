// Builds the configured channels; one module per service, dispatched by an exhaustive map.
import type { TransportOptions } from '../../adapters/http-retry.js';
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

export function buildChannel(cfg: ChannelConfig, transport: TransportOptions = {}): Channel {
  return (BUILDERS[cfg.type] as (c: ChannelConfig, t: TransportOptions) => Channel)(cfg, transport);
}
