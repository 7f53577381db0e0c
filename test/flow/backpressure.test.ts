// Back-pressure is visible (issue 15): a listener with a tiny receive buffer is flooded over loopback by
// another process while this process is stalled (execFileSync blocks the event loop, so nothing reads the
// socket), and the kernel's drop counter for that socket shows up per listener, next to what arrived,
// what did not decode, and in the once-per-interval pressure report. Bounded: one burst of 3000 datagrams.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowCollector } from '../../src/flow/collector.js';
import type { PressureReport } from '../../src/flow/pressure.js';

const LISTEN = '127.21.0.1';
const SENDER = '127.21.0.2';
const BURST = 3000;

// Sends BURST datagrams of 1000 octets of zeros (no flow format: each one is a decode error) as fast as
// the kernel takes them, then prints how many the kernel accepted from us.
const SENDER_JS = `
const dgram = require('node:dgram');
const [port, count] = process.argv.slice(1).map(Number);
const s = dgram.createSocket('udp4');
const buf = Buffer.alloc(1000);
let done = 0, ok = 0;
s.bind(0, '${SENDER}', () => {
  for (let i = 0; i < count; i++) s.send(buf, port, '${LISTEN}', (err) => {
    if (!err) ok++;
    if (++done === count) { process.stdout.write(String(ok)); s.close(); }
  });
});
setTimeout(() => process.exit(3), 20000).unref();
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let collector: FlowCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

describe.runIf(process.platform === 'linux')('socket drops per listener', () => {
  it('counts what the kernel dropped while the process was stalled, and reports it', async () => {
    const reports: PressureReport[] = [];
    collector = new FlowCollector({
      listen: [{ address: LISTEN, port: 0 }],
      recvBufferSize: 4096, // the kernel grants about twice that: a handful of datagrams
      onBatch: () => undefined,
      onPressure: (r) => reports.push(r),
      pressureIntervalMs: 100,
    });
    const [bound] = await collector.start();
    const port = bound?.port ?? 0;
    expect(collector.listenerStats()[0]).toMatchObject({
      datagrams: 0,
      socketDrops: 0,
      socketDropsKnown: true,
    });

    // Stalled: this event loop is blocked until the sender has finished its whole burst.
    const sent = Number(
      execFileSync(process.execPath, ['-e', SENDER_JS, String(port), String(BURST)]).toString(),
    );
    expect(sent).toBeGreaterThan(0);

    // Let the loop drain what the socket held, until the counts settle.
    let last = -1;
    for (let i = 0; i < 100 && collector.datagrams !== last; i++) {
      last = collector.datagrams;
      await sleep(100);
    }
    const [l] = collector.listenerStats();
    expect(l?.socketDrops).toBeGreaterThan(0);
    expect(l?.datagrams).toBeGreaterThan(0);
    // Every datagram the kernel accepted from the sender was either delivered to us or dropped at our socket.
    expect((l?.datagrams ?? 0) + (l?.socketDrops ?? 0)).toBe(sent);
    expect(l?.decodeErrors).toBe(l?.datagrams);

    const stats = collector.stats();
    expect(stats.backpressure.socketDrops).toBe(l?.socketDrops);
    expect(stats.exporters[0]).toMatchObject({
      address: SENDER,
      decodeErrors: l?.datagrams,
      queueOverflows: 0,
    });

    for (let i = 0; i < 50 && !reports.some((r) => r.listeners.some((x) => x.socketDrops > 0)); i++)
      await sleep(100);
    const dropped = reports.flatMap((r) => r.listeners).reduce((n, x) => n + x.socketDrops, 0);
    expect(dropped).toBe(l?.socketDrops);
  });
});
