// VRP files and URLs: reload on change, ETag / If-Modified-Since on URLs, a malformed file refused with
// the previous data kept, and the stale-data alarm.
import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpkiConfigSchema } from './config.js';
import { RpkiService } from './service.js';
import { VrpFileSource } from './source.js';
import { waitFor } from '../../test/support/wait.js';

const doc = (roas: object[], generated = Math.floor(Date.now() / 1000)) =>
  JSON.stringify({ metadata: { generated }, roas });
const ROA_A = { prefix: '203.0.113.0/24', maxLength: 24, asn: 'AS64500' };
const ROA_B = { prefix: '2001:db8::/32', maxLength: 48, asn: 'AS64500' };

describe('VRP URL source', () => {
  let server: Server;
  let body = doc([ROA_A]);
  const seen: { inm?: string; ims?: string; status: number }[] = [];
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const status = inm === etag ? 304 : 200;
      seen.push({ ...(inm ? { inm } : {}), ...(ims ? { ims } : {}), status });
      res.writeHead(status, {
        etag,
        'last-modified': new Date(0).toUTCString(),
        'content-type': 'application/json',
      });
      res.end(status === 200 ? body : undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.19.0.3', r));
    url = `http://127.19.0.3:${(server.address() as AddressInfo).port}/rpki.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches, then asks with If-None-Match and keeps the data on 304, re-reads on change', async () => {
    let changes = 0;
    const src = new VrpFileSource({ url, refreshSeconds: 3600 }, () => changes++);
    await src.check();
    expect(src.vrps()).toHaveLength(1);
    await src.check();
    expect(seen.at(-1)).toMatchObject({
      status: 304,
      inm: expect.stringMatching(/^"/),
      ims: expect.any(String),
    });
    expect(changes).toBe(1);
    body = doc([ROA_A, ROA_B]);
    await src.check();
    expect(src.vrps()).toHaveLength(2);
    expect(changes).toBe(2);
    body = '{"roas": [ {"prefix": "10.0.0.0/8", "maxLength": 7, "asn": 1} ]}';
    await src.check();
    expect(src.vrps()).toHaveLength(2); // refused: the previous data stays
    expect(src.status()).toMatchObject({
      errors: 1,
      lastError: expect.stringMatching(/roas\[0\]: maxLength 7/),
    });
    src.stop();
  });
});

describe('VRP file source and the stale-data alarm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-vrp-'));
  const file = join(dir, 'vrps.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reloads a changed file, and raises then clears the stale alarm by the data\u2019s own age', async () => {
    const old = Math.floor(Date.now() / 1000) - 10_000;
    writeFileSync(file, doc([ROA_A], old));
    const alarms: string[] = [];
    const rpki = new RpkiService({
      config: rpkiConfigSchema.parse({ files: [{ path: file, refreshSeconds: 1 }], staleAfterSeconds: 3600 }),
      originAs: 64500,
      onStale: (stale, reason) => alarms.push(`${stale}: ${reason}`),
    });
    await rpki.start();
    try {
      expect(await rpki.whenReady(5000)).toBe(true);
      expect(rpki.validate('203.0.113.0/24').state).toBe('valid');
      await waitUntil(() => alarms.length === 1);
      expect(alarms[0]).toMatch(/^true: VRP data from .* is 1\d{4} s old/);
      expect(rpki.status()).toMatchObject({ stale: true, files: [{ format: 'cloudflare', vrps: 1 }] });

      writeFileSync(`${file}.tmp`, doc([ROA_A, ROA_B]));
      renameSync(`${file}.tmp`, file);
      utimesSync(file, new Date(), new Date(Date.now() + 2000)); // a different mtime even on coarse clocks
      await waitUntil(() => rpki.validate('2001:db8:1::/48').state === 'valid');
      await waitUntil(() => alarms.length === 2);
      expect(alarms[1]).toMatch(/^false/);
      expect(rpki.status().stale).toBe(false);
    } finally {
      rpki.stop();
    }
  });
});

const waitUntil = (cond: () => boolean): Promise<boolean> =>
  waitFor('the RPKI source to change', cond, 10_000, 50);
