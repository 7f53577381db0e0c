// The RTR client against a real stayrtr: full sync, incremental updates after the VRP file changes,
// data kept while the cache is down until the expire interval, version 0 fallback, cache preference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { rpkiConfigSchema } from '../../src/rpki/config.js';
import { RpkiService } from '../../src/rpki/service.js';
import { StayRtr } from './stayrtr.js';

const HOST = '127.19.0.1';
const base = [
  { prefix: '203.0.113.0/24', maxLength: 24, asn: 64500 },
  { prefix: '198.51.100.0/24', maxLength: 32, asn: 65002 },
  { prefix: '2001:db8::/32', maxLength: 48, asn: 64500 },
];

function service(
  caches: { host: string; port: number; version?: 0 | 1 }[],
  events: string[] = [],
): RpkiService {
  return new RpkiService({
    config: rpkiConfigSchema.parse({ caches, maxRefreshSeconds: 1 }),
    originAs: 64500,
    onStale: (stale, reason) => events.push(`${stale ? 'stale' : 'fresh'}: ${reason}`),
  });
}

describe('RTR client against stayrtr', () => {
  const cache = new StayRtr({
    host: HOST,
    port: 18323,
    metricsPort: 19847,
    roas: base,
    refresh: 1,
    retry: 1,
    expire: 6,
  });
  beforeAll(() => cache.start());
  afterAll(() => cache.close());

  it('syncs, follows edits of the VRP file, keeps data while the cache is down, then expires it', async () => {
    const events: string[] = [];
    const rpki = service([{ host: HOST, port: 18323 }], events);
    await rpki.start();
    try {
      expect(await rpki.whenReady(10000)).toBe(true);
      const st = rpki.status();
      expect(st.vrps).toEqual({ ipv4: 2, ipv6: 1, total: 3 });
      expect(st.caches[0]).toMatchObject({
        state: 'synced',
        version: 1,
        timers: { refresh: 1, retry: 1, expire: 6 },
      });
      expect(rpki.validate('203.0.113.0/24').state).toBe('valid');
      expect(rpki.validate('203.0.113.9/32').state).toBe('invalid');
      expect(rpki.validate('198.51.100.9/32', 65002).state).toBe('valid');
      expect(rpki.validate('2001:db8:5::/48').state).toBe('valid');
      expect(rpki.validate('192.0.2.0/24').state).toBe('not-found');
      const serial0 = st.caches[0]!.serial;

      // a ROA added (the /32 becomes valid) and one withdrawn (the v6 one)
      cache.writeRoas([base[0]!, base[1]!, { prefix: '203.0.113.9/32', maxLength: 32, asn: 64500 }]);
      await waitFor(
        'the added ROA',
        () => rpki.validate('203.0.113.9/32').state === 'valid' || undefined,
        15000,
      );
      await waitFor(
        'the withdrawn ROA',
        () => rpki.validate('2001:db8:5::/48').state === 'not-found' || undefined,
        15000,
      );
      expect(rpki.status().caches[0]!.serial).not.toBe(serial0);
      expect(rpki.status().vrps).toEqual({ ipv4: 3, ipv6: 0, total: 3 });

      // cache gone: the data stays in force until the expire interval (6 s) runs out
      await cache.stop();
      await waitFor(
        'the client to notice',
        () => rpki.status().caches[0]!.state !== 'synced' || undefined,
        10000,
      );
      expect(rpki.validate('203.0.113.9/32').state).toBe('valid');
      await waitFor('expiry', () => rpki.validate('203.0.113.0/24').state === 'no-data' || undefined, 15000);
      expect(rpki.status().caches[0]!.expired).toBe(true);
      expect(events.some((e) => e.startsWith('stale: no RPKI data in force'))).toBe(true);

      // back: a fresh Reset Query brings the data again and clears the alarm
      await cache.start();
      await waitFor('resync', () => rpki.validate('203.0.113.0/24').state === 'valid' || undefined, 20000);
      await waitFor('the alarm to clear', () => events.at(-1)?.startsWith('fresh') || undefined, 5000);
    } finally {
      rpki.stop();
    }
  });
});

describe('RTR version 0 cache and cache preference (RFC 8210 §7, §10)', () => {
  const v0 = new StayRtr({
    host: HOST,
    port: 18324,
    metricsPort: 19848,
    protocol: 0,
    roas: [{ prefix: '198.51.100.0/24', maxLength: 24, asn: 64500 }],
  });
  beforeAll(() => v0.start());
  afterAll(() => v0.close());

  it('steps down to version 0 with a cache that speaks only RFC 6810', async () => {
    const rpki = service([{ host: HOST, port: 18324 }]);
    await rpki.start();
    try {
      expect(await rpki.whenReady(10000)).toBe(true);
      expect(rpki.status().caches[0]).toMatchObject({ state: 'synced', version: 0 });
      expect(rpki.validate('198.51.100.0/24').state).toBe('valid');
    } finally {
      rpki.stop();
    }
  });

  it('uses the most preferred cache in sync; falls back to the next when it is unreachable', async () => {
    // 127.19.0.1:18399 listens nowhere: preferred but down
    const rpki = service([
      { host: HOST, port: 18399 },
      { host: HOST, port: 18324 },
    ]);
    await rpki.start();
    try {
      const ready = await rpki.whenReady(60000);
      expect(ready, JSON.stringify(rpki.status().caches)).toBe(true);
      expect(rpki.status().activeCache).toBe(`${HOST}:18324`);
      expect(rpki.status().caches[0]!.state).not.toBe('synced');
    } finally {
      rpki.stop();
    }
  }, 120_000);
});
