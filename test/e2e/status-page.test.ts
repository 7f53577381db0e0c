// Issue 14 end to end: a real `floodgate run` process with a public status page for tenant "acme" and a
// Slack channel (local stand-in checking Block Kit limits). A headless Chromium keeps the page open while
// an sFlow flood on one of acme's addresses starts and stops; the page must change on its own (pushed
// over SSE) from "operational" to "being mitigated" and back to operational with the incident in its
// history — never showing the address. The same page without JavaScript, the JSON and RSS/Atom feeds,
// and the Slack messages of the real attack are checked on the way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicStatus } from '../../src/notify/status/model.js';
import { getJson, type FloodgateProcess } from '../support/floodgate-process.js';
import * as vendors from '../notify/vendor-contracts.js';
import { VendorServer } from '../notify/vendor-server.js';
import { sendPaced, sflowFlood, startSflowFloodgate } from './support-sflow.js';

const FG = '127.16.1.10'; // floodgate: API and sFlow listener
const SLACK = '127.16.1.11'; // Slack stand-in
const EXPORTER = '127.16.1.12'; // the flood's source socket
const VICTIM = '203.0.113.10';

describe('public status page during a real attack', () => {
  let dir: string;
  let fg: FloodgateProcess;
  let slack: VendorServer;
  let browser: Browser;
  let page: Page;
  let flowPort: number;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-status-'));
    slack = await VendorServer.start(SLACK, vendors.slack);
    ({ fg, flowPort } = await startSflowFloodgate(
      FG,
      {
        node: { name: 'status-e2e' },
        detection: {
          networks: ['203.0.113.0/24'],
          thresholds: { host: { incoming: { pps: 20_000 } } },
          quietPeriod: 2,
        },
        mitigation: {
          dryRun: true,
          ttlSeconds: 6,
          tenants: { acme: { networks: ['203.0.113.0/24'] } },
          guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
          policies: {
            default: {
              levels: [
                { intent: 'rate-limit', pps: 10_000, rateBitsPerSecond: 10e6 },
                { intent: 'drop', pps: 1e9 },
                { intent: 'blackhole', pps: 2e9 },
                { intent: 'scrubbing', pps: 5e9 },
              ],
            },
          },
        },
        notifications: {
          channels: [{ type: 'slack', name: 'noc', url: `${slack.url}/services/T/B/X`, minSeverity: 'info' }],
        },
        statusPages: { tenants: { acme: { title: 'Acme Hosting status' } }, refreshSeconds: 10 },
      },
      { dir },
    ));
    url = `${fg.api}/status/acme`;
    browser = await chromium.launch({
      executablePath: '/usr/lib/chromium/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${FG}, EXCLUDE localhost`,
      ],
      env: { ...process.env, HOME: dir },
      timeout: 30_000,
    });
    page = await browser.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (fg) expect(await fg.stop('SIGTERM')).toBe(0);
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is public, shows "operational" before the attack, and answers 404 for a tenant without a page', async () => {
    await page.goto(url);
    expect(await page.locator('h1').innerText()).toBe('Acme Hosting status');
    expect(await page.locator('#state').getAttribute('data-state')).toBe('operational');
    expect((await fetch(`${fg.api}/status/default`)).status).toBe(404);
    expect((await fetch(`${fg.api}/status/nobody`)).status).toBe(404);
  });

  it('changes by itself while the attack is mitigated, and returns to operational with the incident in its history', async () => {
    // 50 datagrams of 8 samples at 1:1000 every 100 ms ≈ 80 kpps for 6 s: far above 20 kpps
    const datagrams = sflowFlood({ target: VICTIM, samples: 8 * 300, samplingRate: 1000, perDatagram: 8 });
    const sending = sendPaced(EXPORTER, FG, flowPort, datagrams, 5, 100);
    await page
      .locator('#state[data-state="mitigating"]')
      .waitFor({ timeout: 45_000 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\nfloodgate log:\n${fg.output().slice(-5000)}`);
      });
    const live = await page.locator('#current').innerText();
    expect(live).toContain('Ongoing: UDP flood against one of your services');
    expect(await page.locator('#state').innerText()).toContain(
      'An attack is in progress and is being mitigated.',
    );
    expect(live).toMatch(/Mitigation: attack traffic is rate-limited at the network edge \(test mode/);
    expect(live).toContain('Attack detected: UDP flood');
    expect(await page.content()).not.toContain(VICTIM); // the tenant did not allow addresses

    // the same moment without JavaScript: server-rendered, with a meta refresh for updates
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const plain = await noJs.newPage();
    await plain.goto(url);
    expect(await plain.locator('#state').getAttribute('data-state')).toBe('mitigating');
    expect(await plain.locator('noscript').innerHTML()).toContain('http-equiv="refresh" content="10"');
    await noJs.close();

    // JSON and feeds say the same
    const json = await getJson<PublicStatus>(`${url}/status.json`);
    expect(json.state).toBe('mitigating');
    expect(json.current).toHaveLength(1);
    expect(JSON.stringify(json)).not.toContain(VICTIM);
    const rss = await (await fetch(`${url}/feed.rss`)).text();
    expect(rss).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss version="2.0"><channel><title>Acme Hosting status<\/title>/,
    );
    expect(rss).toContain('<item><title>Ongoing: UDP flood against one of your services</title>');
    const atom = await (await fetch(`${url}/feed.atom`)).text();
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(atom).toContain(`<id>urn:floodgate:status:acme:${json.current[0]!.id}</id>`);

    // the attack ends (quiet period), the rule's TTL runs out, the incident resolves: pushed again
    await sending;
    await page.locator('#state[data-state="operational"]').waitFor({ timeout: 60_000 });
    const history = await page.locator('#history').innerText();
    expect(history).toContain('Resolved: UDP flood against one of your services');
    expect(history).toContain('Mitigation removed.');
    expect(await page.locator('.day.warning, .day.critical').count()).toBe(1); // today's bar shows it
  }, 150_000);

  it('told the NOC on Slack about the real attack, within Block Kit limits', async () => {
    const kinds = slack.requests.map((r) => (r.json as { text: string }).text);
    expect(slack.problems()).toEqual([]);
    expect(kinds).toContainEqual(expect.stringMatching(/^UDP flood on 203\.0\.113\.10\/32 \(/));
    expect(kinds).toContain('Mitigation on 203.0.113.10/32: rate-limit announced (dry run)');
    expect(kinds).toContain('UDP flood on 203.0.113.10/32 ended');
    expect(kinds).toContain('Mitigation on 203.0.113.10/32 withdrawn');
    const { incidents } = await getJson<{ incidents: { state: string; tenant: string }[] }>(
      `${fg.api}/api/v1/incidents`,
    );
    expect(incidents).toEqual([expect.objectContaining({ tenant: 'acme', state: 'resolved' })]);
  });
});
