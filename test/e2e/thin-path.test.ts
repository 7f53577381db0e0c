// Issue 2's thin path with real parts: softflowd reads a generated pcap of a UDP flood on an address
// inside the configured networks and exports NetFlow v5 to a real floodgate process; the attack is
// detected, the engine makes a dry-run rule, and rule, attack and audit record are read over the
// HTTP API and the CLI.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Rule } from '../../src/domain/rule.js';
import { FlowBatch } from '../../src/flow/batch.js';
import { batchesToPcap } from '../../src/gen/packet.js';
import type { AttackRecord } from '../../src/domain/store-port.js';
import {
  floodgateCommand,
  getJson,
  startFloodgate,
  type FloodgateProcess,
} from '../support/floodgate-process.js';
import { softflowdExport } from '../support/softflowd.js';
import { freeTcpPort, freeUdpPort } from './support-sflow.js';

const HOST = '127.0.70.10';
const VICTIM = [203, 0, 113, 10];

/**
 * 50 sources × 1 flow each, 20,000 UDP packets of 1000 bytes over 4 s ending now: 5000 pps, 40 Mbit/s —
 * 250× the 20 pps threshold, so however late the export arrives (only part of a flow may fall in the
 * 1 s window) the flood stays far above it.
 */
function udpFloodPcap(endMs: number): Buffer {
  const b = new FlowBatch(64);
  for (let s = 0; s < 50; s++) {
    const i = b.next();
    b.family[i] = 4;
    b.srcAddr[i * 4] = ((198 << 24) | (18 << 16) | (7 << 8) | (s + 1)) >>> 0;
    b.dstAddr[i * 4] = ((VICTIM[0]! << 24) | (VICTIM[1]! << 16) | (VICTIM[2]! << 8) | VICTIM[3]!) >>> 0;
    b.proto[i] = 17;
    b.srcPort[i] = 40000 + s;
    b.dstPort[i] = 27015;
    b.packets[i] = 400;
    b.bytes[i] = 400 * 1000;
    b.startMs[i] = endMs - 4000 + s;
    b.endMs[i] = endMs - 50 + s;
  }
  return batchesToPcap([b]);
}

describe('thin path: softflowd NetFlow v5 → floodgate → dry-run rule over API and CLI', () => {
  let fg: FloodgateProcess;
  let dir: string;
  let flowPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-e2e-'));
    flowPort = await freeUdpPort(HOST);
    fg = await startFloodgate(
      {
        node: { name: 'e2e' },
        flow: { listeners: [{ protocol: 'netflow', address: HOST, port: flowPort }] },
        detection: {
          networks: ['203.0.113.0/24'],
          thresholds: { host: { incoming: { pps: 20 } } },
        },
        mitigation: {
          dryRun: true,
          guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
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
      { apiHost: HOST, apiPort: await freeTcpPort(HOST) },
    );
  }, 60_000);

  afterAll(async () => {
    if (fg) expect(await fg.stop('SIGTERM')).toBe(0); // graceful shutdown closes sockets and the store
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a garbage datagram as an error and keeps going', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.send(Buffer.from('definitely not netflow'), flowPort, HOST, () => r()));
    s.close();
    const stats = await fg.waitFor('the garbage datagram to be counted', async () => {
      const { exporters } = await getJson<{
        exporters: { datagrams: number; exporters: { errors: Record<string, number> }[] };
      }>(`${fg.api}/api/v1/exporters`);
      return exporters.datagrams >= 1 ? exporters : undefined;
    });
    const errors = stats.exporters.reduce(
      (n, e) => n + Object.values(e.errors).reduce((a, b) => a + b, 0),
      0,
    );
    expect(errors).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${fg.api}/healthz`)).status).toBe(200);
  });

  it('detects the UDP flood and shows the dry-run rule, the attack and the audit record', async () => {
    const pcap = join(dir, 'udp-flood.pcap');
    writeFileSync(pcap, udpFloodPcap(Date.now()));
    await softflowdExport(pcap, HOST, flowPort, 5);

    // on time-out, what floodgate logged is the evidence for why no rule came
    const rules = await fg.waitFor('a rule for 203.0.113.10', async () => {
      const { rules } = await getJson<{ rules: Rule[] }>(`${fg.api}/api/v1/rules`);
      return rules.length > 0 ? rules : undefined;
    });
    const rule = rules[0]!;
    expect(rule.target).toBe('203.0.113.10/32');
    expect(rule.dryRun).toBe(true);
    expect(rule.intent).toBe('rate-limit');
    expect(rule.origin).toBe('auto');

    const { attacks } = await getJson<{ attacks: AttackRecord[] }>(`${fg.api}/api/v1/attacks`);
    expect(attacks.map((a) => [a.target, a.family])).toContainEqual(['203.0.113.10/32', 'udp_flood']);

    const { records } = await getJson<{ records: AuditRecord[] }>(
      `${fg.api}/api/v1/audit?ruleId=${encodeURIComponent(rule.id)}`,
    );
    const announce = records.find((r) => r.action === 'announce');
    expect(announce).toBeDefined();
    expect(announce!.dryRun).toBe(true);
    expect(announce!.payload).toBeTruthy(); // the full would-be adapter payload

    const { cmd, args } = floodgateCommand(['rules', 'list', '--api', fg.api, '--json']);
    const { stdout } = await promisify(execFile)(cmd, args, { timeout: 30_000 });
    const listed = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rule);
    expect(listed.map((r) => r.id)).toContain(rule.id);
  });
});
