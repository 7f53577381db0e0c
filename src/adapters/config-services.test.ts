import { describe, expect, it } from 'vitest';
import {
  cloudflareConfigSchema,
  f5ConfigSchema,
  localConfigSchema,
  parseServicesConfig,
  radwareConfigSchema,
  servicesConfigSchema,
  webhookConfigSchema,
} from './config-services.js';

describe('service adapter config', () => {
  it('fills every default, all sections disabled', () => {
    const c = parseServicesConfig({}, {});
    expect(c.cloudflare).toMatchObject({
      enabled: false,
      apiBase: 'https://api.cloudflare.com/client/v4',
      coverLengthV4: 24,
      coverLengthV6: 48,
    });
    expect(c.f5).toMatchObject({ partition: 'Common', auth: 'token', attach: 'virtual-server' });
    expect(c.local).toMatchObject({ table: 'floodgate', prerouting: -300, netns: '' });
    expect(c.webhook.retry).toEqual({
      attempts: 4,
      baseDelayMs: 250,
      maxDelayMs: 8000,
      timeoutMs: 10_000,
      maxRetryAfterMs: 60_000,
    });
  });

  it('takes secrets from the environment over the file', () => {
    const c = parseServicesConfig(
      { cloudflare: { apiToken: 'from-file', accountId: 'acc' }, webhook: { secret: 'file' } },
      {
        FLOODGATE_CLOUDFLARE_API_TOKEN: 'from-env',
        FLOODGATE_WEBHOOK_SECRET: 'env-secret',
        FLOODGATE_F5_PASSWORD: 'pw',
      },
    );
    expect(c.cloudflare.apiToken).toBe('from-env');
    expect(c.cloudflare.accountId).toBe('acc');
    expect(c.webhook.secret).toBe('env-secret');
    expect(c.f5.password).toBe('pw');
  });

  it('rejects unsafe names and out-of-range lengths with a path', () => {
    expect(() => f5ConfigSchema.parse({ partition: 'Common/../x' })).toThrow(/partition/);
    expect(() => localConfigSchema.parse({ table: 'x; flush ruleset' })).toThrow(/table/);
    expect(() => cloudflareConfigSchema.parse({ coverLengthV4: 25 })).toThrow(/coverLengthV4/);
  });

  it('documents every key', () => {
    for (const schema of [
      cloudflareConfigSchema,
      radwareConfigSchema,
      f5ConfigSchema,
      webhookConfigSchema,
      localConfigSchema,
      servicesConfigSchema,
    ]) {
      for (const [k, v] of Object.entries(schema.shape))
        expect((v as { description?: string }).description, k).toBeTruthy();
    }
  });
});
