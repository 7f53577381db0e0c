// The collector on the recvmmsg receiver (flow.receiver: native) counts real exporter captures — softflowd
// NetFlow v9 with templates and pmacct sfprobe sFlow v5, replayed over loopback from three sources — exactly as
// it does on node:dgram, per exporter, and the kernel's drop counter still finds the native socket.
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowCollector } from '../../src/flow/collector.js';
import { waitFor } from '../support/wait.js';
import { asSflowAgent, SFLOW, SFLOW_RECORDS, sendFrom, V9, V9_RECORDS } from './replay.js';

const HOST = '127.0.103.10';
const asAgent = (address: string): Buffer[] => asSflowAgent(SFLOW, address);
const EXPORTERS = [
  { address: '127.0.103.11', datagrams: V9, records: V9_RECORDS },
  { address: '127.0.103.12', datagrams: V9, records: V9_RECORDS },
  { address: '127.0.103.13', datagrams: asAgent('127.0.103.13'), records: SFLOW_RECORDS },
];
const TOTAL = EXPORTERS.reduce((a, e) => a + e.records, 0);

const sendAll = (port: number, from: string, bufs: readonly Buffer[]) => sendFrom(HOST, port, from, bufs);

/**
 * Receive threads of the native receiver on `port` in this process (the addon names them fg-recv:PORT; by
 * port, since other test files may run in other threads of this process).
 */
const receiveThreads = (port: number) =>
  readdirSync('/proc/self/task').filter((t) => {
    try {
      return readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === `fg-recv:${port}`;
    } catch {
      return false; // the thread ended meanwhile
    }
  }).length;

let collector: FlowCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

async function replay(receiver: 'native' | 'dgram') {
  let records = 0;
  collector = new FlowCollector({
    listen: [{ address: HOST, port: 0 }],
    receiver,
    onBatch: (b) => (records += b.length),
  });
  const [bound] = await collector.start();
  expect(collector.receiverKind).toBe(receiver);
  expect(receiveThreads(bound!.port)).toBe(receiver === 'native' ? 1 : 0);
  await Promise.all(EXPORTERS.map((e) => sendAll(bound!.port, e.address, e.datagrams)));
  const c = collector;
  await waitFor(`${TOTAL} records`, () => (c.flush(), records >= TOTAL), 30_000, 50);
  const st = c.stats();
  return {
    records,
    datagrams: st.datagrams,
    listener: st.listeners[0]!,
    exporters: st.exporters.map((e) => ({
      address: e.address,
      source: e.source,
      format: e.lastFormat,
      datagrams: e.datagrams,
      records: e.records,
      errors: e.errors,
      sequenceGaps: e.sequenceGaps,
      lostDatagrams: e.lostDatagrams,
      templates: e.templates,
    })),
  };
}

describe.runIf(process.platform === 'linux')('FlowCollector on the native receiver', () => {
  it('counts softflowd NetFlow v9 and sfprobe sFlow per exporter exactly as node:dgram does', async () => {
    const viaDgram = await replay('dgram');
    await collector?.stop();
    const viaNative = await replay('native');
    expect(viaNative.records).toBe(TOTAL);
    expect(viaNative.datagrams).toBe(EXPORTERS.reduce((a, e) => a + e.datagrams.length, 0));
    expect(viaNative.exporters).toEqual(viaDgram.exporters);
    expect(viaNative.exporters.map((e) => [e.address, e.records])).toEqual(
      EXPORTERS.map((e) => [e.address, e.records]),
    );
    for (const e of viaNative.exporters) {
      expect(Object.values(e.errors).reduce((a, b) => a + b, 0)).toBe(0);
      expect(e.sequenceGaps).toBe(0);
    }
    // /proc/self/fd holds the socket the addon opened: its kernel drop counter is read, not guessed
    expect(viaNative.listener).toMatchObject({ socketDropsKnown: true, socketDrops: 0, decodeErrors: 0 });
    expect(viaNative.listener.datagrams).toBe(viaNative.datagrams);
    expect(viaNative.listener.recvBufferBytes).toBe(viaDgram.listener.recvBufferBytes);
  });

  it('with decode workers, worker 0 receives on the native receiver and every record is counted once', async () => {
    let records = 0;
    collector = new FlowCollector({
      listen: [{ address: HOST, port: 0 }],
      receiver: 'native',
      workers: 2,
      onBatch: (b) => (records += b.length),
    });
    const [bound] = await collector.start();
    expect(collector.receiverKind).toBe('workers');
    expect(receiveThreads(bound!.port)).toBe(1);
    // NetFlow only: sFlow samples are pre-aggregated in the workers, so their rows are not one per sample
    const v9 = EXPORTERS.filter((e) => e.datagrams === V9);
    await Promise.all(v9.map((e) => sendAll(bound!.port, e.address, e.datagrams)));
    const want = v9.reduce((a, e) => a + e.records, 0);
    await waitFor(`${want} records`, () => records >= want, 30_000, 50);
    const c = collector;
    await waitFor('per-exporter counts', () => {
      const st = c.stats();
      return v9.every((e) => st.exporters.find((x) => x.address === e.address)?.records === e.records);
    });
    expect(records).toBe(want);
    await c.stop();
    collector = undefined;
    await waitFor('the receive thread joined', () => receiveThreads(bound!.port) === 0);
  });

  for (const receiver of ['native', 'dgram'] as const)
    it(`a taken port stops the start with the listener named as the config names it (${receiver}), and nothing stays bound`, async () => {
      const taken = createSocket('udp4');
      await new Promise<void>((r) => taken.bind(0, HOST, () => r()));
      const port = taken.address().port;
      try {
        const c = new FlowCollector({
          listen: [
            { address: HOST, port: 0 },
            { address: HOST, port },
          ],
          receiver,
          onBatch: () => undefined,
        });
        const err = await c.start().then(
          () => undefined,
          (e: unknown) => e as Error & { code?: string },
        );
        expect(err?.message).toMatch(
          new RegExp(
            `^flow\\.listeners\\[1\\] \\(UDP ${HOST.replace(/\./g, '\\.')}:${port}\\) cannot be bound: .*(EADDRINUSE|Address already in use).*: another process holds UDP port ${port} there`,
          ),
        );
        expect(err?.code).toBe('EADDRINUSE');
        // the first listener was closed again: no receive thread, and its port can be bound at once
        const first = c.stats().listeners[0];
        expect(receiveThreads(first?.port ?? 0)).toBe(0);
        const again = createSocket('udp4');
        await new Promise<void>((resolve, reject) => {
          again.once('error', reject);
          again.bind(first?.port ?? 0, HOST, () => resolve());
        });
        again.close();
      } finally {
        taken.close();
      }
    });
});
