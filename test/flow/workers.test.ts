// Issue 15 (use every core): with flow.workers > 0, real exporter captures (softflowd NetFlow v9 with its
// templates, pmacct sfprobe sFlow v5) replayed over loopback from several exporters are counted exactly once —
// per exporter the same datagrams, records, errors and sequence accounting as the main-thread collector gives for
// the same datagrams, and the same packets and bytes handed to detection; bad input is counted in the worker that
// owns its exporter and that worker keeps running; a worker that dies is restarted, counted, and decodes again.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowBatch } from '../../src/flow/batch.js';
import { FlowCollector, type CollectorStats } from '../../src/flow/collector.js';
import type { ExporterState } from '../../src/flow/exporter.js';
import { ownerOf } from '../../src/flow/workers/protocol.js';
import { waitFor } from '../support/wait.js';
import { asSflowAgent, SFLOW, sendFrom, V9 } from './replay.js';

const HOST = '127.0.92.1';
const asAgent = (address: string): Buffer[] => asSflowAgent(SFLOW, address);

/** Six exporters, three of each format, from addresses both of two workers own. */
const EXPORTERS = [10, 11, 12, 17, 14, 13].map((n, i) => ({
  address: `127.0.92.${n}`,
  datagrams: i % 2 === 0 ? V9 : asAgent(`127.0.92.${n}`),
}));

interface Totals {
  records: number;
  packets: number;
  bytes: number;
  byFormat: Map<number, number>;
  /** Records attributed to each exporter address through the exporter table handed with the batch. */
  byExporter: Map<string, number>;
}

function totals(): { t: Totals; onBatch: (b: FlowBatch, e: readonly ExporterState[]) => void } {
  const t: Totals = { records: 0, packets: 0, bytes: 0, byFormat: new Map(), byExporter: new Map() };
  return {
    t,
    onBatch: (b, exporters) => {
      for (let i = 0; i < b.length; i++) {
        const sr = b.samplingRate[i] as number;
        t.records++;
        t.packets += (b.packets[i] as number) * sr;
        t.bytes += (b.bytes[i] as number) * sr;
        const f = b.format[i] as number;
        t.byFormat.set(f, (t.byFormat.get(f) ?? 0) + (b.packets[i] as number) * sr);
        const a = exporters[b.exporter[i] as number]?.address ?? 'unknown';
        t.byExporter.set(a, (t.byExporter.get(a) ?? 0) + (b.packets[i] as number) * sr);
      }
    },
  };
}

const sendAll = (port: number, from: string, bufs: readonly Buffer[]) => sendFrom(HOST, port, from, bufs);

const byAddress = (s: CollectorStats) => new Map(s.exporters.map((e) => [e.address, e]));

let c: FlowCollector | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

describe('decode workers (flow.workers)', () => {
  it('counts every record of real NetFlow v9 and sFlow exporters exactly once, per exporter as the main thread does', async () => {
    // three workers: 0 receives, 1 and 2 decode; the test only means something if both own both formats
    const owners = EXPORTERS.map((e) => ownerOf(e.address, 3));
    expect(new Set(owners.filter((_, i) => i % 2 === 0))).toEqual(new Set([1, 2]));
    expect(new Set(owners.filter((_, i) => i % 2 === 1))).toEqual(new Set([1, 2]));

    // the oracle: the same datagrams through the main-thread collector
    const inline = totals();
    const ref = new FlowCollector({ listen: [], onBatch: inline.onBatch });
    const t0 = Date.now();
    for (const e of EXPORTERS) for (const d of e.datagrams) ref.ingest(d, e.address, t0);
    ref.flush();
    const want = byAddress(ref.stats());

    const got = totals();
    c = new FlowCollector({ listen: [{ address: HOST, port: 0 }], workers: 3, onBatch: got.onBatch });
    const [bound] = await c.start();
    await Promise.all(EXPORTERS.map((e) => sendAll(bound!.port, e.address, e.datagrams)));
    const sent = EXPORTERS.reduce((n, e) => n + e.datagrams.length, 0);
    // each worker sends its counters every 500 ms: wait for the receiving worker's snapshot too
    await waitFor(
      'every record, and every worker counter',
      () =>
        got.t.packets >= inline.t.packets &&
        c!.stats().datagrams === sent &&
        c!.stats().workers?.[0]?.handedOff === sent,
    );

    const s = c.stats();
    expect(s.listeners[0]!.datagrams).toBe(sent);
    expect(s.listeners[0]!.socketDrops).toBe(0);
    expect(s.workers!.map((w) => w.datagrams > 0)).toEqual([false, true, true]);
    expect(s.workers!.map((w) => w.handedOff)).toEqual([sent, 0, 0]);
    expect(s.workers!.map((w) => w.restarts)).toEqual([0, 0, 0]);
    const have = byAddress(s);
    expect(have.size).toBe(EXPORTERS.length);
    for (const e of EXPORTERS) {
      const h = have.get(e.address)!;
      const w = want.get(e.address)!;
      expect({
        address: e.address,
        datagrams: h.datagrams,
        records: h.records,
        format: h.lastFormat,
      }).toEqual({
        address: e.address,
        datagrams: e.datagrams.length,
        records: w.records,
        format: w.lastFormat,
      });
      expect(h.records).toBeGreaterThan(0);
      expect(h.errors).toEqual(w.errors);
      expect([h.sequenceGaps, h.lostDatagrams, h.lostRecords]).toEqual([0, 0, 0]);
      expect(h.templates).toBe(w.templates);
      // the exporter ids in the batches name the right exporter on the main thread
      expect(got.t.byExporter.get(e.address)).toBe(inline.t.byExporter.get(e.address));
    }
    // one dense table of exporters on the main thread, as the main-thread collector keeps (the app maps it)
    expect(c.exporters.map((e) => e.address).sort()).toEqual(EXPORTERS.map((e) => e.address).sort());
    expect(Object.keys(c.exporters)).toHaveLength(c.exporters.length);
    expect(s.exporters.map((e) => e.id).sort()).toEqual(c.exporters.map((e) => e.id).sort());
    expect(s.errors).toEqual(ref.stats().errors);
    // packets and bytes reach detection once each; sFlow samples of one conversation may be merged (fewer rows)
    expect(got.t.packets).toBe(inline.t.packets);
    expect(got.t.bytes).toBe(inline.t.bytes);
    expect(got.t.byFormat).toEqual(inline.t.byFormat);
    expect(got.t.records).toBeLessThanOrEqual(inline.t.records);
    expect(s.backpressure.decodeErrors).toBe(0);
  });

  it('counts bad input in the worker that owns the exporter, which keeps running; a dead worker is restarted and counted', async () => {
    const got = totals();
    const logged: string[] = [];
    c = new FlowCollector({
      listen: [{ address: HOST, port: 0 }],
      workers: 2,
      onBatch: got.onBatch,
      log: { warn: (_o, m) => logged.push(m), error: (_o, m) => logged.push(m) },
    });
    const [bound] = await c.start();
    const port = bound!.port;
    // two workers: 0 receives, 1 decodes
    const b = EXPORTERS[0]!;
    expect(ownerOf(b.address, 2)).toBe(1);

    await sendAll(port, b.address, [Buffer.from('not an export'), Buffer.alloc(3), ...V9]);
    await waitFor(
      'bad input counted',
      () => byAddress(c!.stats()).get(b.address)?.datagrams === V9.length + 2,
    );
    let s = c.stats();
    expect(byAddress(s).get(b.address)!.errors['unknown-format']).toBe(2);
    expect(s.listeners[0]!.decodeErrors).toBe(2);
    expect(s.workers!.map((w) => w.restarts)).toEqual([0, 0]);

    // worker 1 (decodes only) dies: restarted, its exporter's state is gone, the counts it made stay
    await c.workerThreads()[1]!.terminate();
    await waitFor(
      'restart 1',
      () => c!.stats().workers![1]!.restarts === 1 && c!.workerThreads()[1] !== undefined,
    );
    expect(logged).toContain('flow decode worker exited; restarting it');
    const before = got.t.packets;
    await sendAll(port, b.address, V9);
    await waitFor(
      'worker 1 decodes again',
      () => byAddress(c!.stats()).get(b.address)?.datagrams === V9.length,
    );
    // the receiving worker's counters arrive in their own snapshot
    await waitFor('datagrams counted', () => c!.stats().datagrams === 2 * V9.length + 2);
    s = c.stats();
    expect(s.datagrams).toBe(2 * V9.length + 2);
    expect(s.errors['unknown-format']).toBe(2);
    await waitFor('records after the restart', () => got.t.packets > before);

    // worker 0 (it owns the socket) dies: it binds the same port again and hands off again
    await c.workerThreads()[0]!.terminate();
    await waitFor(
      'restart 0',
      () => c!.stats().workers![0]!.restarts === 1 && c!.workerThreads()[0] !== undefined,
    );
    await waitFor('listener back', () => c!.stats().listeners.length === 1);
    const again = async () => {
      await sendAll(port, b.address, V9);
      return (byAddress(c!.stats()).get(b.address)?.datagrams ?? 0) > V9.length;
    };
    // the new socket may take a moment to be bound: resend until the exporter shows up
    const t0 = Date.now();
    while (!(await again()) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 500));
    await waitFor(
      'hand-offs after worker 0 restarted',
      () => (byAddress(c!.stats()).get(b.address)?.datagrams ?? 0) > V9.length,
    );
    expect(c.stats().workers!.map((w) => w.restarts)).toEqual([1, 1]);
  });

  it('fails to start with the bind error when the port is taken', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, HOST, () => r()));
    try {
      c = new FlowCollector({
        listen: [{ address: HOST, port: taken.address().port }],
        workers: 1,
        onBatch: () => undefined,
      });
      await expect(c.start()).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
