// floodgate's route origin validation agrees with BIRD 2's (roa_check) when both read the same
// stayrtr over RTR: a table of IPv4 and IPv6 prefixes at and around every maxLength edge.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, removeDir, tempDir } from '../support/daemon.js';
import { birdc, startBirdDaemon } from '../support/daemons/bird.js';
import { waitFor } from '../support/wait.js';
import { rpkiConfigSchema } from '../../src/rpki/config.js';
import { RpkiService } from '../../src/rpki/service.js';
import { StayRtr } from './stayrtr.js';

const HOST = '127.19.0.2';
const PORT = 18330;
const roas = [
  { prefix: '203.0.113.0/24', maxLength: 24, asn: 64500 },
  { prefix: '198.51.100.0/22', maxLength: 26, asn: 64501 },
  { prefix: '198.51.100.0/24', maxLength: 32, asn: 64502 },
  { prefix: '100.64.0.0/10', maxLength: 10, asn: 0 },
  { prefix: '2001:db8::/32', maxLength: 48, asn: 64500 },
  { prefix: '2001:db8:ff00::/40', maxLength: 128, asn: 64503 },
  { prefix: '2001:db8:ab00::/40', maxLength: 40, asn: 64504 },
];

// route prefixes × origin ASes, around each maxLength edge
const routes = [
  '203.0.113.0/24',
  '203.0.113.0/25',
  '203.0.113.7/32',
  '203.0.112.0/23',
  '198.51.100.0/22',
  '198.51.100.0/26',
  '198.51.100.0/27',
  '198.51.100.9/32',
  '198.51.102.0/24',
  '198.51.103.255/32',
  '100.64.1.0/24',
  '192.0.2.0/24',
  '2001:db8::/32',
  '2001:db8:1::/48',
  '2001:db8:1::/49',
  '2001:db8:ff00::/40',
  '2001:db8:ff00::1/128',
  '2001:db8:ab00::/40',
  '2001:db8:ab00::/41',
  '2001:db9::/32',
];
const asns = [64500, 64501, 64502, 64503, 64504, 65535];

const BIRD_STATE: Record<string, string> = { '0': 'not-found', '1': 'valid', '2': 'invalid' };

describe('route origin validation: floodgate and BIRD 2 agree on one stayrtr', () => {
  const cache = new StayRtr({ host: HOST, port: PORT, metricsPort: PORT + 1, roas });
  const dir = tempDir('bird-rov');
  const ctl = join(dir, 'bird.ctl');
  let bird: Daemon | undefined;
  const rpki = new RpkiService({ config: rpkiConfigSchema.parse({ caches: [{ host: HOST, port: PORT }] }) });

  beforeAll(async () => {
    await cache.start();
    writeFileSync(
      join(dir, 'bird.conf'),
      `log "${join(dir, 'bird.log')}" all;
router id 10.19.0.2;
roa4 table r4;
roa6 table r6;
protocol rpki stayrtr {
  roa4 { table r4; };
  roa6 { table r6; };
  remote ${HOST} port ${PORT};
  retry keep 5;
  refresh keep 30;
  expire keep 600;
}
`,
    );
    bird = startBirdDaemon(dir, join(dir, 'bird.conf'), ctl);
    await rpki.start();
    expect(await rpki.whenReady(15000)).toBe(true);
    // BIRD holds every ROA (one line per VRP in both tables)
    await waitFor(
      'BIRD to load the ROAs over RTR',
      async () => {
        const v4 = await birdc(ctl, ['show', 'route', 'table', 'r4', 'count']);
        const v6 = await birdc(ctl, ['show', 'route', 'table', 'r6', 'count']);
        return /4 of 4 routes/.test(v4) && /3 of 3 routes/.test(v6) ? true : undefined;
      },
      30000,
      300,
    );
  });

  afterAll(async () => {
    rpki.stop();
    await bird?.stop();
    await cache.close();
    removeDir(dir);
  });

  it('gives the same state for every (prefix, origin AS)', async () => {
    const mismatches: string[] = [];
    const states = new Set<string>();
    for (const r of routes)
      for (const asn of asns) {
        const table = r.includes(':') ? 'r6' : 'r4';
        const stdout = await birdc(ctl, ['eval', `roa_check(${table}, ${r}, ${asn})`]);
        const m = /\(enum \d+\)(\d)/.exec(stdout);
        const birdState = m ? BIRD_STATE[m[1] as string] : `unparsed: ${stdout.trim()}`;
        const ours = rpki.validate(r, asn).state;
        states.add(ours);
        if (ours !== birdState) mismatches.push(`${r} AS${asn}: floodgate ${ours}, BIRD ${birdState}`);
      }
    expect(mismatches).toEqual([]);
    expect([...states].sort()).toEqual(['invalid', 'not-found', 'valid']);
  });
});
