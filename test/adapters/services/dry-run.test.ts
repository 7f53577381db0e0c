// Dry-run: every service/local adapter renders its full would-be payload with no I/O at all.
import { describe, expect, it } from 'vitest';
import { CloudflareAdapter } from '../../../src/adapters/cloudflare/adapter.js';
import { F5Adapter } from '../../../src/adapters/f5/adapter.js';
import { RadwareAdapter } from '../../../src/adapters/radware/adapter.js';
import { WebhookAdapter } from '../../../src/adapters/webhook/adapter.js';
import { LocalAdapter } from '../../../src/adapters/local/adapter.js';
import { parseServicesConfig } from '../../../src/adapters/config-services.js';
import { makeRule } from './rule-fixture.js';
import { eq } from '../../support/rules.js';

const NOWHERE = 'http://127.0.50.9:9';

describe('dry-run rendering (no I/O)', () => {
  const cfg = parseServicesConfig(
    {
      cloudflare: { accountId: 'acc', apiToken: 't' },
      radware: { baseUrl: NOWHERE },
      f5: { baseUrl: NOWHERE, partition: 'P1' },
      webhook: { url: NOWHERE + '/hook', authToken: 'tok' },
    },
    {},
  );
  const forbidden = async () => {
    throw new Error('dry-run must not run commands');
  };
  const rule = makeRule({ match: { family: 4, ipProtocol: [eq(17)], destinationPort: [eq(53)] } });

  it('each adapter returns the payload it would send', () => {
    const cf = new CloudflareAdapter(cfg.cloudflare).render({ ...rule, intent: 'scrubbing' });
    expect(cf).toMatchObject({
      covering: '203.0.113.0/24',
      request: { method: 'PATCH', body: { advertised: true } },
    });
    const f5 = new F5Adapter(cfg.f5).render(rule, 'withdraw') as { calls: { method: string; url: string }[] };
    expect(f5.calls.map((c) => c.method)).toEqual(['DELETE', 'DELETE']);
    expect(f5.calls[1]!.url).toContain('/mgmt/tm/security/dos/profile/~P1~floodgate_r-0001_');
    const rw = new RadwareAdapter(cfg.radware).render(rule);
    expect(rw).toMatchObject({
      externalAttackId: 'floodgate-r-0001',
      request: { url: NOWHERE + '/mgmt/device/df/config/action/attackstart' },
    });
    const wh = new WebhookAdapter(cfg.webhook).render(rule) as {
      request: { headers: Record<string, string>; body: { rule: { id: string } } };
    };
    expect(wh.request.headers['authorization']).toBe('[redacted]');
    expect(wh.request.body.rule.id).toBe('r-0001');
    const local = new LocalAdapter(cfg.local, { runner: forbidden }).render(rule) as { script: string };
    expect(local.script).toContain(
      'add rule inet floodgate pre ip daddr 203.0.113.5/32 meta l4proto 17 th dport 53 counter drop',
    );
  });
});
