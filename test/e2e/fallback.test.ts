// Issue 10 item 1 end to end, with real processes: a real `floodgate run` (native BGP speaker, mitigation
// live) peers with a real gobgpd; the policy puts an sFlow flood at level 3 (blackhole), but no IPv4
// discard next hop is configured, so no adapter can carry it. Start-up names that level as an error; the
// engine falls back to the strongest level it can carry (level 2, a FlowSpec drop), raises an alert saying
// why, and the drop — not nothing — reaches gobgpd's RIB.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Rule } from '../../src/domain/rule.js';
import { formatFlowSpec } from '../../src/flowspec/text.js';
import { Gobgpd } from '../support/daemons/gobgpd.js';
import {
  floodgateCommand,
  getJson,
  startFloodgate,
  type FloodgateProcess,
} from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { TEST_API_TOKEN } from '../support/floodgate-process.js';
import { flowSpecRib } from './support-gobgp.js';
import { PacedSender, freeTcpPort, freeUdpPort, sflowFlood } from './support-sflow.js';

const FG = '127.12.0.1'; // floodgate: speaker local address, API, sFlow listener
const ROUTER = '127.12.0.2'; // gobgpd
const SENDER = '127.12.0.9'; // the flood's source
const V4 = '203.0.113.10';

function config(flowPort: number): Record<string, unknown> {
  return {
    node: { name: 'fallback' },
    flow: { listeners: [{ protocol: 'sflow', address: FG, port: flowPort }] },
    detection: { networks: ['203.0.113.0/24'], thresholds: { host: { incoming: { pps: 20_000 } } } },
    bgp: {
      enabled: true,
      routerId: '10.12.0.1',
      localAs: 65120,
      // no discardNextHop.ipv4: IPv4 blackholing cannot be carried
      peers: [
        {
          name: 'gobgpd',
          address: ROUTER,
          port: 1179,
          localAddress: FG,
          remoteAs: 65121,
          families: ['ipv4-unicast', 'ipv4-flowspec'],
          connectRetrySeconds: 0.5,
          maxConnectRetrySeconds: 1,
        },
      ],
    },
    mitigation: {
      dryRun: false,
      guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
      policies: {
        default: {
          levels: [
            { intent: 'rate-limit', pps: 1e9, rateBitsPerSecond: 10e6 },
            { intent: 'drop', pps: 1e9 },
            { intent: 'blackhole', pps: 50_000 },
            { intent: 'scrubbing', pps: 2e9 },
          ],
        },
      },
    },
  };
}

describe('a level no adapter can carry falls back, end to end through floodgate run and gobgpd', () => {
  let g: Gobgpd;
  let fg: FloodgateProcess | undefined;
  let flood: PacedSender | undefined;
  let dir: string;
  let flowPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-fallback-'));
    g = new Gobgpd({
      address: ROUTER,
      asn: 65121,
      grpcPort: await freeTcpPort('127.0.0.1'),
      peerAddress: FG,
      peerAs: 65120,
      families: ['ipv4-unicast', 'ipv4-flowspec'],
    });
    await g.start();
    flowPort = await freeUdpPort(FG);
    fg = await startFloodgate(config(flowPort), { apiHost: FG, apiPort: await freeTcpPort(FG), dir });
    await g.waitEstablished(30_000);
  }, 90_000);

  afterAll(async () => {
    await flood?.stop();
    if (fg) await fg.stop('SIGTERM');
    await g?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the uncarried level at start-up, then announces the level-2 drop with an alert saying why', async () => {
    const proc = fg as FloodgateProcess;
    // start-up: an error (mitigation is live) naming policy, level, intent and family
    expect(proc.output()).toMatch(
      /"level":50[^\n]*policy \\"default\\" level 3 \(blackhole\) IPv4: no configured adapter carries it[^\n]*no IPv4 discard next hop/,
    );

    // 2 datagrams of 8 samples every 16 ms at 1:1000 (≈ 1 Mpps, 50× the host threshold, 20× level 3’s
    // 50 kpps), at most 20 s
    flood = new PacedSender(FG, flowPort, sflowFlood({ target: V4, samples: 20_000 }), 2, 16, SENDER);
    await flood.start();

    const rib = await waitFor(
      'the fallback drop in gobgpd’s RIB',
      async () => {
        const paths = (await flowSpecRib(g)).filter((p) => p.target === `${V4}/32`);
        return paths.length === 1 &&
          paths[0]?.actions.some((a) => a.kind === 'traffic-rate-bytes' && a.bytesPerSecond === 0)
          ? paths
          : undefined;
      },
      40_000,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${proc.output().slice(-4000)}`);
    });
    expect(rib[0]?.match.ipProtocol).toBeDefined();

    const active = (await getJson<{ rules: Rule[] }>(`${proc.api}/api/v1/rules?active=true`)).rules;
    expect(active.map((r) => `${r.level} ${r.intent} ${r.target} ${r.state}`)).toEqual([
      `2 drop ${V4}/32 announced`,
    ]);
    // never a blackhole rule, and the alert names the level that could not be carried and why
    const all = (await getJson<{ rules: Rule[] }>(`${proc.api}/api/v1/rules`)).rules;
    expect(all.filter((r) => r.intent === 'blackhole')).toEqual([]);
    const alerts = (await getJson<{ records: AuditRecord[] }>(`${proc.api}/api/v1/audit?action=alert`))
      .records;
    expect(
      alerts.some((a) =>
        /level 3 \(blackhole\) cannot be carried for IPv4: .*discard next hop/.test(a.reason),
      ),
    ).toBe(true);
  }, 90_000);

  it('the CLI adds a manual rule with a full FlowSpec match that gobgpd holds exactly; a duplicate is refused', async () => {
    const proc = fg as FloodgateProcess;
    const run = promisify(execFile);
    const match = 'flow4 proto =17 sport =53 len >=512&<=1500 frag is-fragment';
    const cli = (extra: string[]) => {
      const { cmd, args } = floodgateCommand([
        'rules',
        'add',
        '--api',
        proc.api,
        '--token',
        TEST_API_TOKEN,
        '--target',
        '203.0.113.20',
        ...extra,
      ]);
      return run(cmd, args, { timeout: 30_000 });
    };
    const out = await cli(['--intent', 'drop', '--match', match, '--json']);
    const rule = (JSON.parse(out.stdout) as { rule: Rule }).rule;
    expect(formatFlowSpec(rule.match)).toBe(
      'flow4 dst 203.0.113.20/32 proto =17 sport =53 len >=512&<=1500 frag is-fragment',
    );
    const held = await waitFor('the manual rule in gobgpd’s RIB', async () =>
      (await flowSpecRib(g)).find((p) => p.target === '203.0.113.20/32'),
    );
    expect(formatFlowSpec(held.match)).toBe(formatFlowSpec(rule.match));
    // the same NLRI again (as a rate-limit): one route, one rule — refused with the holder named
    const dup = await cli(['--intent', 'rate-limit', '--match', match]).then(
      () => undefined,
      (e: { stderr?: string; code?: number }) => e,
    );
    expect(dup?.code).not.toBe(0);
    expect(dup?.stderr).toContain(rule.id);
  }, 90_000);
});
