// Issue 17, attack captures: a real `floodgate run` receives an sFlow v5 flood (raw Ethernet headers, 1 in
// 1000); the attack's pcapng is downloaded through the API and the CLI, opens in tshark, and its packets are
// the flood's (destination, protocol, port of the attack's signature), pre-attack samples included, other
// targets' samples excluded; the exporter and sampling rate are in its comments. Loopback 127.22.0.0/16.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttackRecord } from '../../src/domain/store-port.js';
import type { CaptureInfo } from '../../src/forensics/render.js';
import { floodgateCommand, getJson, type FloodgateProcess } from '../support/floodgate-process.js';
import { sendPaced, sflowFlood, startSflowFloodgate } from './support-sflow.js';

const run = promisify(execFile);
const HOST = '127.22.0.10';
const EXPORTER = '127.22.0.9';
const VICTIM = '203.0.113.44';
const BYSTANDER = '203.0.113.99';

async function tshark(file: string, fields: string[], filter?: string): Promise<string[][]> {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])];
  if (filter) args.push('-Y', filter);
  const { stdout } = await run('tshark', args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(','));
}

describe('forensics: sFlow flood → attack pcapng over the API and CLI → tshark', () => {
  let fg: FloodgateProcess;
  let dir: string;
  let flowPort: number;
  /** 20 ms ticks of `perTick` datagrams from the exporter's address. */
  const send = (datagrams: readonly Uint8Array[], perTick: number) =>
    sendPaced(EXPORTER, HOST, flowPort, datagrams, perTick, 20);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-forensics-'));
    ({ fg, flowPort } = await startSflowFloodgate(HOST, {
      node: { name: 'forensics-e2e' },
      detection: {
        networks: ['203.0.113.0/24'],
        thresholds: { host: { incoming: { pps: 50_000 } } },
        quietPeriod: 2,
      },
      mitigation: { dryRun: true, guards: { allowSpecialPurpose: ['203.0.113.0/24'] } },
      forensics: { enabled: true, preAttackSeconds: 30, directory: join(dir, 'pcap') },
    }));
  }, 60_000);

  afterAll(async () => {
    if (fg) expect(await fg.stop('SIGTERM')).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the attack capture, served by API and CLI, that tshark reads as the flood', async () => {
    // before: a trickle to the victim (10 samples = far under 50k pps) and to a bystander
    const before = sflowFlood({
      target: VICTIM,
      samples: 10,
      dstPort: 27015,
      perDatagram: 1,
      agent: EXPORTER,
    });
    const other = sflowFlood({
      target: BYSTANDER,
      samples: 40,
      proto: 6,
      dstPort: 443,
      perDatagram: 1,
      agent: EXPORTER,
    });
    await send([...before, ...other], 2);
    await new Promise((r) => setTimeout(r, 1500));
    // the flood: 3000 samples of 1 in 1000 over ~2.5 s ≈ 1.2 M pps
    const flood = sflowFlood({
      target: VICTIM,
      samples: 3000,
      dstPort: 27015,
      packetBytes: 512,
      agent: EXPORTER,
    });
    await send(flood, 3);

    const attack = await fg.waitFor(
      'the attack on the victim to end',
      async () => {
        const { attacks } = await getJson<{ attacks: AttackRecord[] }>(`${fg.api}/api/v1/attacks`);
        return attacks.find(
          (a) => a.target === `${VICTIM}/32` && a.endedAt !== undefined && a.endedAt !== null,
        );
      },
      60_000,
      250,
    );
    expect(attack.family).toBe('udp_flood');

    const info = await fg.waitFor('the capture to be written', async () => {
      const { captures } = await getJson<{ captures: CaptureInfo[] }>(`${fg.api}/api/v1/forensics/captures`);
      return captures.find((c) => c.attackId === attack.attackId && c.endedAt !== undefined);
    });
    expect(info.exporters).toEqual([{ address: EXPORTER, samplingRate: 1000 }]);

    const res = await fetch(`${fg.api}/api/v1/attacks/${encodeURIComponent(attack.attackId)}/pcap`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-pcapng');
    const file = join(dir, 'api.pcapng');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));

    const rows = await tshark(file, ['frame.time_epoch', 'ip.dst', 'ip.proto', 'udp.dstport', 'frame.len']);
    expect(rows.length).toBe(info.packets);
    expect(rows.length).toBeGreaterThan(1000);
    const sig = info.signature as { protocols?: number[]; destinationPorts?: number[] };
    expect(sig.protocols).toEqual([17]);
    expect(sig.destinationPorts).toEqual([27015]);
    for (const [, dst, proto, dport, len] of rows) {
      expect(dst).toBe(VICTIM); // the bystander's samples are not in it
      expect(Number(proto)).toBe(17);
      expect(Number(dport)).toBe(27015);
      expect(Number(len)).toBeGreaterThanOrEqual(512); // original length, not the header's
    }
    // pre-attack seconds: the trickle sent before the flood is in the capture, before the attack start
    const early = rows.filter(([t]) => Number(t) * 1000 < attack.startedAt - 500);
    expect(early.length).toBe(before.length);

    // the exporter and sampling rate are written as pcapng comments (tshark reads the interface block)
    const { stdout: caps } = await run('capinfos', [file], { timeout: 30_000 });
    expect(caps).toContain(`floodgate attack ${attack.attackId}`);
    const desc = await tshark(file, ['frame.interface_description']);
    expect(new Set(desc.map((r) => r.join(',')))).toEqual(
      new Set([`sFlow exporter ${EXPORTER}, sampling rate 1 in 1000`]),
    );

    // the CLI gets the same bytes
    const out = join(dir, 'cli.pcapng');
    const { cmd, args } = floodgateCommand(['attacks', 'pcap', attack.attackId, '--api', fg.api, '-o', out]);
    await run(cmd, args, { timeout: 60_000 });
    expect(readFileSync(out).equals(readFileSync(file))).toBe(true);

    const missing = await fetch(`${fg.api}/api/v1/attacks/no-such-attack/pcap`);
    expect(missing.status).toBe(404);
  }, 180_000);
});
