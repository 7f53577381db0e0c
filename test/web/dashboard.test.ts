// The dashboard in a real browser against a real floodgate process fed by a real exporter: Debian's
// chromium (playwright-core) logs in with the API token, softflowd replays generated UDP floods as
// NetFlow v9 and the attack appears live with its per-second chart (server-sent events); a manual
// rule is added on the Manual Rule tab, withdrawn on the Rules tab, and both show in the audit.
// Screenshots go to docs/img/ (docs/dashboard.md shows them).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Rule } from '../../src/domain/rule.js';
import { FlowBatch } from '../../src/flow/batch.js';
import { batchesToPcap } from '../../src/gen/packet.js';
import { startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { ensureDashboardBuilt, launchChromium, type Chromium } from '../support/browser.js';
import { softflowdExport } from '../support/softflowd.js';
import { freeUdpPort } from '../e2e/support-sflow.js';

const HOST = '127.18.0.10';
const TOKEN = 'dashboard-e2e-owner-token';
const VICTIM = '203.0.113.10';
// FLOODGATE_DOC_SCREENSHOTS=1 refreshes the screenshots in docs/img; otherwise they go to a temp dir
const IMG =
  process.env.FLOODGATE_DOC_SCREENSHOTS === '1'
    ? resolve(import.meta.dirname ?? '.', '..', '..', 'docs', 'img')
    : join(tmpdir(), 'fg-web-shots');

/** 50 sources × 40 UDP packets of 1000 bytes to VICTIM over the 2 s before endMs: 1000 pps, 8 Mbit/s. */
function floodPcap(endMs: number): Buffer {
  const b = new FlowBatch(64);
  for (let s = 0; s < 50; s++) {
    const i = b.next();
    b.family[i] = 4;
    b.srcAddr[i * 4] = ((198 << 24) | (18 << 16) | (9 << 8) | (s + 1)) >>> 0;
    b.dstAddr[i * 4] = ((203 << 24) | (0 << 16) | (113 << 8) | 10) >>> 0;
    b.proto[i] = 17;
    b.srcPort[i] = 41000 + s;
    b.dstPort[i] = 27015;
    b.packets[i] = 40;
    b.bytes[i] = 40 * 1000;
    b.startMs[i] = endMs - 2000 + s;
    b.endMs[i] = endMs - 20 + s;
  }
  return batchesToPcap([b]);
}

/** GET with this test's own token (the process runs with api.token = TOKEN). */
async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('dashboard in chromium: live attack, manual rule, withdraw, audit', () => {
  let fg: FloodgateProcess;
  let chrome: Chromium;
  let page: Page;
  let dir: string;
  let flowPort: number;
  let feeding: Promise<void> | undefined;
  let stopFeeding = false;

  const shot = (name: string) => page.screenshot({ path: join(IMG, name), fullPage: false });

  beforeAll(async () => {
    mkdirSync(IMG, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'fg-web-'));
    await ensureDashboardBuilt();
    flowPort = await freeUdpPort(HOST);
    fg = await startFloodgate(
      {
        node: { name: 'web-e2e' },
        api: { token: TOKEN },
        flow: { listeners: [{ protocol: 'netflow', address: HOST, port: flowPort }] },
        detection: { networks: ['203.0.113.0/24'], thresholds: { host: { incoming: { pps: 20 } } } },
        mitigation: {
          dryRun: true,
          // two deployments per 10 minutes: the engine's rule and the first manual one; a third waits
          limits: { deploymentsPerWindow: 2, rateWindowMs: 600_000 },
          guards: {
            allowSpecialPurpose: ['203.0.113.0/24'],
            softWhitelist: [{ cidr: '203.0.113.200/29', rateBitsPerSecond: 5e8 }],
          },
          policies: {
            default: {
              levels: [
                { intent: 'rate-limit', bps: 1e6 },
                { intent: 'drop', bps: 500e6 },
                { intent: 'blackhole', bps: 2e9 },
                { intent: 'scrubbing', bps: 5e9 },
              ],
            },
          },
        },
      },
      { apiHost: HOST, apiPort: await freeUdpPort(HOST) },
    );
    chrome = await launchChromium([HOST]);
    page = await chrome.browser.newPage({ viewport: { width: 1280, height: 860 } });
  }, 240_000);

  afterAll(async () => {
    stopFeeding = true;
    await feeding?.catch(() => undefined);
    await chrome?.close();
    if (fg) expect(await fg.stop('SIGTERM')).toBe(0); // open event streams must not hold the shutdown
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong token, then logs in with the right one', async () => {
    await page.goto(`${fg.api}/`);
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('This token is not accepted.').waitFor();
    await shot('dashboard-login.png');
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Live attacks' }).waitFor();
    expect(await page.locator('.role').textContent()).toBe('owner');
    expect(await page.evaluate("sessionStorage.getItem('floodgate.token')")).toBe(TOKEN);
    // the tab keeps its session across a reload (sessionStorage), without asking again
    await page.reload();
    await page.getByRole('heading', { name: 'Live attacks' }).waitFor();
    await page.locator('.dot.on').waitFor({ timeout: 20_000 });
  });

  it('shows a replayed flood live, with a per-second rate chart', async () => {
    // softflowd replays a fresh 2-second flood every ~1.5 s so the attack lasts several seconds
    feeding = (async () => {
      for (let n = 0; n < 12 && !stopFeeding; n++) {
        const pcap = join(dir, `flood-${n}.pcap`);
        writeFileSync(pcap, floodPcap(Date.now()));
        await softflowdExport(pcap, HOST, flowPort, 9);
        await new Promise((r) => setTimeout(r, 1500));
      }
    })();
    const card = page.locator(`.attack[data-target="${VICTIM}/32"]`);
    await card.waitFor({ timeout: 60_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\nfloodgate log:\n${fg.output().slice(-4000)}`);
    });
    await expect(card.locator('.family').textContent()).resolves.toBe('udp flood');
    // at least three one-second samples have reached the chart through the stream
    await waitFor(
      'three rate samples in the chart',
      async () => Number(await card.locator('.chart').getAttribute('data-points')) >= 3,
      60_000,
      250,
    );
    expect(await card.locator('canvas').count()).toBeGreaterThan(0);
    await shot('dashboard-attacks.png');

    await card.locator('header a').click();
    await page.getByRole('heading', { name: `Attack on ${VICTIM}/32` }).waitFor();
    await page.getByText('coverage').first().waitFor();
    // the engine's dry-run rule for this attack and its audit trail are on the detail page
    await page.locator('table.rules tr[data-rule]').first().waitFor({ timeout: 30_000 });
    await page.locator('.timeline li', { hasText: 'announce' }).first().waitFor({ timeout: 30_000 });
    await shot('dashboard-attack-detail.png');
  });

  it('adds a manual rule, withdraws it, and the audit shows both', async () => {
    await page.getByRole('link', { name: 'Manual Rule' }).click();
    await page.getByLabel('Target', { exact: true }).fill('203.0.113.20/32');
    await page.locator('select[name=intent]').selectOption('drop');
    await page.getByLabel('Protocol', { exact: true }).fill('udp');
    await page.getByLabel('Destination port', { exact: true }).fill('53, 123');
    await page.getByLabel('TTL (s)', { exact: true }).fill('600');
    await page.getByLabel('Reason', { exact: true }).fill('dashboard e2e');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const status = page.getByRole('status');
    await status.waitFor();
    const text = (await status.textContent()) ?? '';
    const id = /rule (\S+):/.exec(text)?.[1];
    expect(text, text).toMatch(/^Added rule \S+: drop 203\.0\.113\.20\/32/);
    expect(id).toBeTruthy();
    await shot('dashboard-manual-rule.png');

    // a FlowSpec match the manual-rule API cannot carry whole is refused in the form, not shortened
    await page.getByLabel('…or a FlowSpec match').fill('flow4 dst 203.0.113.21/32 proto =6 tcp-flags =syn');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page
      .getByRole('alert')
      .getByText(/tcp-flags: a manual rule carries only/)
      .waitFor();

    const rule = (await getJson<{ rule: Rule }>(`${fg.api}/api/v1/rules/${id}`)).rule;
    expect(rule.intent).toBe('drop');
    expect(rule.match.destinationPort?.map((t) => t.value)).toEqual([53, 123]);
    expect(rule.match.ipProtocol?.map((t) => t.value)).toEqual([17]);

    await page.getByRole('link', { name: 'Rules' }).click();
    const row = page.locator(`table.rules tr[data-rule="${id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Withdraw' }).click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await waitFor('the rule to be withdrawn', async () => {
      const r = (await getJson<{ rule: Rule }>(`${fg.api}/api/v1/rules/${id}`)).rule;
      return r.state === 'withdrawn';
    });

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Rule id').fill(id!);
    await page.getByLabel('Rule id').press('Enter');
    await page.getByLabel('Rule id').blur();
    const announce = page.locator(`table.audit tr[data-rule="${id}"][data-action="announce"]`);
    const withdraw = page.locator(`table.audit tr[data-rule="${id}"][data-action="withdraw"]`);
    await announce.waitFor({ timeout: 30_000 });
    await withdraw.waitFor({ timeout: 30_000 });
    expect(await withdraw.textContent()).toContain('withdrawn from the dashboard');
    await page.getByLabel('Rule id').fill('');
    await page.getByLabel('Rule id').blur();
    await page.locator('table.audit tr[data-action="withdraw"]').first().waitFor();
    await shot('dashboard-audit.png');

    // the same two records through the API
    const { records } = await getJson<{ records: AuditRecord[] }>(`${fg.api}/api/v1/audit?ruleId=${id}`);
    expect(records.map((r) => r.action)).toEqual(expect.arrayContaining(['announce', 'withdraw']));
  });

  it('shows a rule held by the deployment rate limit as queued, and withdraws it from the queue', async () => {
    await page.getByRole('link', { name: 'Manual Rule' }).click();
    await page.getByLabel('…or a FlowSpec match').fill('flow4 dst 203.0.113.22/32 proto =17 dport =11211');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const status = page.getByRole('status').getByText(/^Queued rule/);
    await status.waitFor();
    const id = /rule (\S+):/.exec((await status.textContent()) ?? '')?.[1];
    expect(id).toBeTruthy();
    await page.getByRole('link', { name: 'Rules' }).click();
    const row = page.locator(`table.rules tr[data-rule="${id}"]`);
    await row.getByText('queued', { exact: true }).waitFor();
    await shot('dashboard-rules.png');
    await row.getByRole('button', { name: 'Withdraw' }).click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    const { rules } = await getJson<{ rules: Rule[] }>(`${fg.api}/api/v1/queue`);
    expect(rules.map((r) => r.id)).not.toContain(id);
    const { records } = await getJson<{ records: AuditRecord[] }>(`${fg.api}/api/v1/audit?ruleId=${id}`);
    expect(records.map((r) => r.action)).toEqual(expect.arrayContaining(['queue', 'withdraw']));
    expect(records.map((r) => r.action)).not.toContain('announce');
  });

  it('shows policies and whitelists, adapters, exporters and host traffic', async () => {
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.locator('table.whitelist').getByText('203.0.113.200/29').waitFor();
    await page.getByText('dry-run (nothing is sent)').waitFor();
    await shot('dashboard-policies.png');

    await page.getByRole('link', { name: 'Exporters' }).click();
    // softflowd sends from the loopback's primary address, whichever address it sends to
    const exporter = page.locator('table.exporters tr[data-exporter]').first();
    await exporter.waitFor();
    expect(await exporter.textContent()).toMatch(/netflow9.*s ago/);
    await shot('dashboard-exporters.png');

    await page.getByRole('link', { name: 'Adapters & BGP' }).click();
    await page.getByText('No adapter configured').waitFor();
    await page.getByText('The native BGP speaker is not configured.').waitFor();

    await page.getByRole('link', { name: 'Traffic' }).click();
    await page.getByLabel('Host or prefix').fill(`${VICTIM}/32`);
    await page.getByRole('button', { name: 'Show' }).click();
    // while the flood is still replayed the host is tracked; after it, the API says it is not
    await page
      .getByText(new RegExp(`^\\s*${VICTIM.replace(/\./g, '\\.')}/32 \\(host`))
      .waitFor({ timeout: 30_000 });
    await waitFor(
      'two traffic samples',
      async () => Number(await page.locator('.chart').getAttribute('data-points')) >= 2,
      30_000,
      250,
    );
    await shot('dashboard-traffic.png');
  });

  it('logs out and forgets the token', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('floodgate.token')")).toBeNull();
  });
});
