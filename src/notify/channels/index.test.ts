// buildChannel imports a channel type's module (and its client: nodemailer, undici) only when a channel of
// that type is configured (docs/performance.md "Memory"); a module that cannot be loaded is named.
import { describe, expect, it } from 'vitest';
import { channelSchema, notificationsConfigSchema } from '../config.js';
import type { ChannelType } from '../types.js';
import { buildChannel, CHANNEL_LOADERS, type ChannelLoaders } from './index.js';

function recording(broken?: ChannelType): { loaders: ChannelLoaders; loaded: ChannelType[] } {
  const loaded: ChannelType[] = [];
  const loaders = Object.fromEntries(
    (Object.keys(CHANNEL_LOADERS) as ChannelType[]).map((t) => [
      t,
      () => {
        loaded.push(t);
        return t === broken ? Promise.reject(new Error('Cannot find package')) : CHANNEL_LOADERS[t]();
      },
    ]),
  ) as unknown as ChannelLoaders;
  return { loaders, loaded };
}

describe('buildChannel', () => {
  it('the default notifications config has no channel, so no channel module is loaded', () => {
    expect(notificationsConfigSchema.parse({}).channels).toEqual([]);
  });

  it('loads the module of the configured type only', async () => {
    const { loaders, loaded } = recording();
    const slack = channelSchema.parse({ type: 'slack', name: 'noc', url: 'https://hooks.slack.com/x' });
    const ch = await buildChannel(slack, {}, {}, loaders);
    expect(ch).toMatchObject({ name: 'noc', type: 'slack' });
    expect(loaded).toEqual(['slack']);
    const email = channelSchema.parse({ type: 'email', name: 'mail', to: ['noc@example.net'] });
    const mail = await buildChannel(email, {}, {}, loaders);
    expect(mail).toMatchObject({ name: 'mail', type: 'email' });
    await mail.close();
    expect(loaded).toEqual(['slack', 'email']);
  });

  it('names the channel and the npm package when its module cannot be loaded', async () => {
    const { loaders } = recording('email');
    const email = channelSchema.parse({ type: 'email', name: 'mail', to: ['noc@example.net'] });
    await expect(buildChannel(email, {}, {}, loaders)).rejects.toThrow(
      'notifications channel "mail" (email): could not load its module (npm package "nodemailer"): Cannot find package',
    );
  });
});
