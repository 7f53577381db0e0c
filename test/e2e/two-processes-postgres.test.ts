// Issue 7, "many processes": two floodgate processes share one real PostgreSQL store; both receive the
// same attack (softflowd exports to each) and together they make exactly one rule.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/domain/rule.js';
import { FlowBatch } from '../../src/flow/batch.js';
import { batchesToPcap } from '../../src/gen/packet.js';
import { getJson, startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { softflowdExport } from '../support/softflowd.js';
import { freeUdpPort } from './support-sflow.js';

const HOST = '127.0.70.30';

function udpFloodPcap(endMs: number): Buffer {
  const b = new FlowBatch(64);
  for (let s = 0; s < 50; s++) {
    const i = b.next();
    b.family[i] = 4;
    b.srcAddr[i * 4] = ((198 << 24) | (18 << 16) | (9 << 8) | (s + 1)) >>> 0;
    b.dstAddr[i * 4] = ((203 << 24) | (113 << 8) | 77) >>> 0;
    b.proto[i] = 17;
    b.srcPort[i] = 41000 + s;
    b.dstPort[i] = 3074;
    b.packets[i] = 400;
    b.bytes[i] = 400_000;
    b.startMs[i] = endMs - 4000 + s;
    b.endMs[i] = endMs - 50 + s;
  }
  return batchesToPcap([b]);
}

describe('two engine processes on one PostgreSQL store', () => {
  let pg: PostgresServer;
  const procs: FloodgateProcess[] = [];
  const flowPorts: number[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-2p-'));
    pg = await startPostgres(HOST, 55433);
    for (let n = 0; n < 2; n++) {
      const flowPort = await freeUdpPort(HOST);
      flowPorts.push(flowPort);
      procs.push(
        await startFloodgate(
          {
            node: { name: `engine-${n}` },
            store: { driver: 'postgres', postgresUrl: pg.url },
            flow: { listeners: [{ protocol: 'netflow', address: HOST, port: flowPort }] },
            detection: { networks: ['203.0.113.0/24'], thresholds: { host: { incoming: { pps: 20 } } } },
            mitigation: {
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
          { apiHost: HOST, apiPort: 18200 + n },
        ),
      );
    }
  }, 90_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one attack seen by both processes gives exactly one active rule', async () => {
    const pcap = join(dir, 'flood.pcap');
    writeFileSync(pcap, udpFloodPcap(Date.now()));
    await Promise.all(flowPorts.map((port) => softflowdExport(pcap, HOST, port, 5)));
    // both processes detect it
    for (const p of procs) {
      await waitFor(`attack seen by ${p.api}`, async () => {
        const out = p.output();
        return out.includes('"kind":"start"') && out.includes('203.0.113.77/32');
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n${p.output().slice(-3000)}`);
      });
    }
    const rules = await waitFor('a rule in the shared store', async () => {
      const { rules } = await getJson<{ rules: Rule[] }>(`${procs[0]!.api}/api/v1/rules?active=true`);
      return rules.length > 0 ? rules : undefined;
    }).catch((err: Error) => {
      writeFileSync('/tmp/2p.log', procs.map((p) => p.output()).join('\n----\n'));
      throw new Error(`${err.message}\n${procs.map((p) => p.output().slice(-4000)).join('\n----\n')}`);
    });
    // give the slower process time to decide too, then count again through the other process
    await new Promise((r) => setTimeout(r, 3000));
    const { rules: seenByOther } = await getJson<{ rules: Rule[] }>(
      `${procs[1]!.api}/api/v1/rules?active=true`,
    );
    expect(seenByOther.filter((r) => r.target === '203.0.113.77/32')).toHaveLength(1);
    expect(rules[0]!.target).toBe('203.0.113.77/32');
  });
});
