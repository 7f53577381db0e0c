// Issue 15 through the real process: `floodgate run` with flow.workers: 2 counts the records of real exporter
// captures (softflowd NetFlow v9 with templates, pmacct sfprobe sFlow v5) replayed over loopback from four
// exporters exactly once in GET /api/v1/exporters, hands them to detection, and still shows the kernel's drops
// of the socket a worker thread reads (SIGSTOP stalls every thread) per listener and in /healthz.
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort } from '../e2e/support-sflow.js';
import { getJson, startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { asSflowAgent, SFLOW, SFLOW_RECORDS, sendFrom, V9, V9_RECORDS } from './replay.js';

const HOST = '127.0.92.30';
const API_PORT = 18492;

const asAgent = (address: string): Buffer[] => asSflowAgent(SFLOW, address);

const EXPORTERS = [
  { address: '127.0.92.31', datagrams: V9, records: V9_RECORDS },
  { address: '127.0.92.32', datagrams: V9, records: V9_RECORDS },
  { address: '127.0.92.33', datagrams: asAgent('127.0.92.33'), records: SFLOW_RECORDS },
  { address: '127.0.92.34', datagrams: asAgent('127.0.92.34'), records: SFLOW_RECORDS },
];

const sendAll = (port: number, from: string, bufs: readonly Buffer[]) => sendFrom(HOST, port, from, bufs);

interface Listener {
  port: number;
  datagrams: number;
  socketDrops: number;
  socketDropsKnown: boolean;
  decodeErrors: number;
}
interface ExportersBody {
  exporters: {
    datagrams: number;
    listeners: Listener[];
    exporters: { address: string; datagrams: number; records: number; lostDatagrams: number }[];
    workers: { index: number; restarts: number; datagrams: number }[];
  };
}
interface Health {
  checks: {
    flow: { datagrams: number; backpressure: { socketDrops: number; decodeErrors: number } };
    detection: { records: number };
  };
}

let fg: FloodgateProcess | undefined;
afterEach(async () => {
  if (fg?.child.pid) process.kill(fg.child.pid, 'SIGCONT');
  await fg?.stop();
  fg = undefined;
});

describe.runIf(process.platform === 'linux')('floodgate run with flow.workers', () => {
  const start = async (receiveBufferBytes: number) => {
    const port = await freeUdpPort(HOST);
    fg = await startFloodgate(
      {
        log: { level: 'warn' },
        flow: { listeners: [{ protocol: 'netflow', address: HOST, port }], workers: 2, receiveBufferBytes },
        detection: { networks: ['0.0.0.0/0'] },
        mitigation: { dryRun: true },
      },
      { apiHost: HOST, apiPort: API_PORT },
    );
    return { port, api: fg.api, pid: fg.child.pid ?? 0 };
  };

  it('counts every exporter record once, per exporter, and hands them to detection', async () => {
    const { port, api } = await start(8 * 1024 * 1024);
    const sent = (await Promise.all(EXPORTERS.map((e) => sendAll(port, e.address, e.datagrams)))).reduce(
      (a, b) => a + b,
      0,
    );
    expect(sent).toBe(EXPORTERS.reduce((n, e) => n + e.datagrams.length, 0));
    const body = await waitFor('every exporter counted', async () => {
      const r = await getJson<ExportersBody>(`${api}/api/v1/exporters`);
      // the receiving and the decoding workers report in snapshots of their own: wait for all of them
      const each = new Map(r.exporters.exporters.map((e) => [e.address, e.datagrams]));
      return r.exporters.datagrams === sent &&
        EXPORTERS.every((e) => each.get(e.address) === e.datagrams.length)
        ? r.exporters
        : undefined;
    });
    const byAddress = new Map(body.exporters.map((e) => [e.address, e]));
    for (const e of EXPORTERS)
      expect(byAddress.get(e.address)).toMatchObject({
        datagrams: e.datagrams.length,
        records: e.records,
        lostDatagrams: 0,
      });
    expect(body.workers.map((w) => w.restarts)).toEqual([0, 0]);
    expect(body.listeners[0]).toMatchObject({ port, datagrams: sent, socketDrops: 0, decodeErrors: 0 });
    const decoded = EXPORTERS.reduce((n, e) => n + e.records, 0);
    const health = await waitFor('detection counted the records', async () => {
      const h = await getJson<Health>(`${api}/healthz`);
      return h.checks.detection.records > 0 ? h : undefined;
    });
    expect(health.checks.flow.datagrams).toBe(sent);
    // sFlow samples of one conversation may be merged before detection, never multiplied
    expect(health.checks.detection.records).toBeLessThanOrEqual(decoded);
  });

  it('shows the kernel drops of the socket a worker reads after a stall, per listener and in /healthz', async () => {
    const { port, api, pid } = await start(65536);
    // a stall of the whole process: the socket worker 0 reads overflows, and the main thread reads its drops
    process.kill(pid, 'SIGSTOP');
    let burst = 0;
    try {
      burst = await sendAll(
        port,
        '127.0.92.35',
        Array.from({ length: 2000 }, () => Buffer.alloc(1000)),
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const after = await waitFor('drops and deliveries adding up to the burst', async () => {
      const r = await getJson<ExportersBody>(`${api}/api/v1/exporters`);
      const l = r.exporters.listeners[0];
      // decode errors come from the decoding worker's snapshot, datagrams from the receiving one's
      return l && l.socketDrops > 0 && l.datagrams + l.socketDrops === burst && l.decodeErrors === l.datagrams
        ? l
        : undefined;
    });
    expect(after.socketDropsKnown).toBe(true);
    expect(after.decodeErrors).toBe(after.datagrams);
    const h = await getJson<Health>(`${api}/healthz`);
    expect(h.checks.flow.backpressure.socketDrops).toBe(after.socketDrops);
  });
});
