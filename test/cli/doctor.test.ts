// `floodgate doctor` against a real floodgate: a real gobgpd peer (Established), a configured peer that
// does not exist (not Established, with the fix), an sFlow exporter sending, the store writable, dry-run.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorLine } from '../../src/cli/doctor/checks.js';
import { Gobgpd } from '../support/daemons/gobgpd.js';
import { freeTcpPort, sflowFlood } from '../e2e/support-sflow.js';
import { floodgateCommand, startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';

const exec = promisify(execFile);
const FG = '127.20.0.1';
const ROUTER = '127.20.0.2';
const GHOST = '127.20.0.3';
const SFLOW_PORT = 16343;
const API_PORT = 18360;

async function doctor(configFile: string): Promise<{ code: number; lines: DoctorLine[] }> {
  const { cmd, args } = floodgateCommand(['doctor', '-c', configFile, '--json']);
  try {
    const r = await exec(cmd, args, { timeout: 60_000 });
    return { code: 0, lines: JSON.parse(r.stdout) as DoctorLine[] };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, lines: JSON.parse(e.stdout ?? '[]') as DoctorLine[] };
  }
}

describe('floodgate doctor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-doctor-'));
  let g: Gobgpd;
  let fg: FloodgateProcess | undefined;

  beforeAll(async () => {
    g = new Gobgpd({
      address: ROUTER,
      asn: 65201,
      grpcPort: await freeTcpPort('127.0.0.1'),
      peerAddress: FG,
      peerAs: 65200,
    });
    await g.start();
    const peer = (name: string, address: string) => ({
      name,
      address,
      port: 1179,
      localAddress: FG,
      remoteAs: 65201,
      families: ['ipv4-unicast', 'ipv4-flowspec'],
      connectRetrySeconds: 0.5,
      maxConnectRetrySeconds: 1,
    });
    fg = await startFloodgate(
      {
        flow: { listeners: [{ protocol: 'sflow', address: FG, port: SFLOW_PORT }] },
        detection: { networks: ['203.0.113.0/24'] },
        bgp: {
          enabled: true,
          routerId: '10.20.0.1',
          localAs: 65200,
          peers: [peer('edge', ROUTER), peer('ghost', GHOST)],
        },
      },
      { apiHost: FG, apiPort: API_PORT, dir },
    );
    await g.waitEstablished(30_000);
  }, 90_000);

  afterAll(async () => {
    if (fg) await fg.stop('SIGTERM');
    await g?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says, part by part, what is well and what to fix', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.20.0.4', r));
    for (const d of sflowFlood({ target: '203.0.113.9', samples: 80 })) sock.send(d, SFLOW_PORT, FG);
    await waitFor('the exporter in the API', async () => {
      const r = (await (await fetch(`http://${FG}:${API_PORT}/api/v1/exporters`)).json()) as {
        exporters: { exporters: unknown[] };
      };
      return r.exporters.exporters.length ? true : undefined;
    });
    sock.close();

    const { code, lines } = await doctor(join(dir, 'floodgate.yaml'));
    const find = (part: RegExp) => lines.find((l) => part.test(l.part));
    expect(code).toBe(1); // the ghost peer is a failure
    expect(find(/^config$/)).toMatchObject({ status: 'ok' });
    expect(find(/^api$/)).toMatchObject({ status: 'ok' });
    expect(find(new RegExp(`^listener sflow ${FG}:${SFLOW_PORT}$`))).toMatchObject({
      status: 'ok',
      message: 'bound',
    });
    expect(lines.find((l) => /^exporter /.test(l.part) && l.status === 'ok')?.message).toMatch(
      /^sending \(sflow5, sampling 1:1000, 10 datagrams/,
    );
    expect(find(/^bgp edge/)).toMatchObject({
      status: 'ok',
      message: 'Established (ipv4-unicast, ipv4-flowspec)',
    });
    expect(find(/^bgp ghost/)).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/neighbor stanza/),
    });
    expect(find(/^store$/)).toMatchObject({ status: 'ok', message: 'writable (sqlite)' });
    expect(find(/^mitigation$/)).toMatchObject({ status: 'warn', message: expect.stringMatching(/DRY-RUN/) });
  });

  it('names a config it cannot read, and says how to start floodgate when nothing answers', async () => {
    const missing = await doctor(join(dir, 'absent.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.lines).toEqual([expect.objectContaining({ status: 'fail', part: 'config' })]);
    writeFileSync(join(dir, 'idle.yaml'), 'api: { host: 127.20.0.1, port: 18369 }\n');
    const idle = await doctor(join(dir, 'idle.yaml'));
    expect(idle.code).toBe(1);
    expect(idle.lines.find((l) => l.part === 'api')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/floodgate run -c .*idle\.yaml/),
    });
  });
});
