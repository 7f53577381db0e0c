// Back-pressure through the real process (issue 15): `floodgate run` is stopped (SIGSTOP) while a bounded
// burst floods its flow listener over loopback; after SIGCONT the kernel's drops for that socket are in
// GET /api/v1/exporters (per listener) and in /healthz, and the once-per-interval warning names them.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort } from '../e2e/support-sflow.js';
import { getJson, startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';

const HOST = '127.21.0.10';
const API_PORT = 18421;
const BURST = 3000;

interface Listener {
  address: string;
  port: number;
  datagrams: number;
  socketDrops: number;
  socketDropsKnown: boolean;
  decodeErrors: number;
}

let fg: FloodgateProcess | undefined;
afterEach(async () => {
  if (fg?.child.pid) process.kill(fg.child.pid, 'SIGCONT');
  await fg?.stop();
  fg = undefined;
});

/** Sends the burst; resolves with how many datagrams the kernel accepted from us. */
async function burst(port: number): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.21.0.11', () => r()));
  const buf = Buffer.alloc(1000);
  const oks = await Promise.all(
    Array.from({ length: BURST }, () => new Promise<boolean>((r) => s.send(buf, port, HOST, (e) => r(!e)))),
  );
  await new Promise<void>((r) => s.close(() => r()));
  return oks.filter(Boolean).length;
}

describe.runIf(process.platform === 'linux')('back-pressure in the API', () => {
  it('shows socket drops per listener in /api/v1/exporters and /healthz after a stall', async () => {
    const flowPort = await freeUdpPort(HOST);
    fg = await startFloodgate(
      {
        flow: {
          listeners: [{ protocol: 'netflow', address: HOST, port: flowPort }],
          receiveBufferBytes: 65536,
        },
      },
      { apiHost: HOST, apiPort: API_PORT },
    );
    const before = await getJson<{ exporters: { listeners: Listener[] } }>(`${fg.api}/api/v1/exporters`);
    expect(before.exporters.listeners).toEqual([
      expect.objectContaining({ address: HOST, port: flowPort, socketDrops: 0, socketDropsKnown: true }),
    ]);

    const pid = fg.child.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    let sent = 0;
    try {
      sent = await burst(flowPort);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(sent).toBeGreaterThan(0);
    const api = fg.api;
    const after = await waitFor(
      'drops and deliveries adding up to the burst',
      async () => {
        const r = await getJson<{ exporters: { listeners: Listener[] } }>(`${api}/api/v1/exporters`);
        const l = r.exporters.listeners[0];
        return l && l.socketDrops > 0 && l.datagrams + l.socketDrops === sent ? l : undefined;
      },
      30_000,
    );
    expect(after.decodeErrors).toBe(after.datagrams);
    const health = await getJson<{ checks: { flow: { backpressure: { socketDrops: number } } } }>(
      `${fg.api}/healthz`,
    );
    expect(health.checks.flow.backpressure.socketDrops).toBe(after.socketDrops);
  });
});
