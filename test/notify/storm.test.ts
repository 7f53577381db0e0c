// Storm: 500 attacks on 500 addresses inside one minute (start, rule, end, withdraw each: 2000 events)
// must reach each channel as a handful of messages — the burst, the sustained rate, follow-ups of the
// incidents already told, and one digest standing for everything held back — while every incident is
// still recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_RETRY, PD_KEY, attackLife, harness, rule, type Harness } from './harness.js';
import * as vendors from './vendor-contracts.js';
import { VendorServer } from './vendor-server.js';

const HOST = '127.16.0.2';
const ATTACKS = 500;

describe('a storm of 500 attacks in a minute', () => {
  let slack: VendorServer;
  let pd: VendorServer;
  let h: Harness;

  beforeAll(async () => {
    slack = await VendorServer.start(HOST, vendors.slack);
    pd = await VendorServer.start(HOST, vendors.pagerduty);
    h = await harness({
      rateLimit: { burst: 5, perMinute: 2, digestIntervalMs: 60_000 },
      channels: [
        { type: 'slack', name: 'slack', url: `${slack.url}/hook`, retry: FAST_RETRY },
        { type: 'pagerduty', name: 'pd', routingKey: PD_KEY, url: `${pd.url}/v2/enqueue`, retry: FAST_RETRY },
      ],
    });
    const t0 = 1_800_000_000_000;
    for (let i = 0; i < ATTACKS; i++) {
      const target = i < 250 ? `203.0.113.${i}/32` : `198.51.100.${i - 250}/32`;
      const at = t0 + Math.floor((i * 60_000) / ATTACKS);
      h.setNow(at);
      const id = `r${i}`;
      h.rules.set(id, rule(id, target));
      // the whole life of each attack (start, rule, end, withdraw) is published inside the minute
      for (const e of attackLife(target, at, id)) h.bus.publish(e);
    }
    h.setNow(t0 + 60_000);
    await h.notifier.idle();
    h.notifier.flushDigests();
    await h.notifier.idle();
  }, 120_000);

  afterAll(async () => {
    await h.notifier.stop();
    await slack.close();
    await pd.close();
  });

  it('sends a bounded number of messages per channel, none lost: the rest is counted in one digest', () => {
    const stats = h.notifier.stats() as {
      handled: number;
      channels: Record<string, { sent: number; failed: number; digested: number; digests: number }>;
    };
    expect(stats.handled).toBe(ATTACKS * 4);
    for (const [name, server] of [
      ['slack', slack],
      ['pd', pd],
    ] as const) {
      const c = stats.channels[name]!;
      expect(server.problems()).toEqual([]);
      // burst 5 + 2 per minute, their follow-ups (resolve), and one digest
      expect(server.requests.length).toBeLessThanOrEqual(5 + 2 + 7 + 1);
      expect(server.requests.length).toBe(c.sent);
      expect(server.requests.length).toBeGreaterThanOrEqual(5 + 1); // the burst went out, and the digest
      expect(c.digests).toBe(1);
      expect(c.digested).toBeGreaterThan(ATTACKS);
      const digest = server.requests.at(-1)!.raw;
      expect(digest).toContain(`${c.digested} more notifications`);
    }
  });

  it('still records one incident per attack', async () => {
    const incidents = await h.notifier.listIncidents({ limit: 10_000 });
    expect(incidents).toHaveLength(ATTACKS);
    expect(incidents.every((i) => i.state === 'resolved')).toBe(true);
  });
});
