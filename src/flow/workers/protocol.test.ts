// The decode workers' pure parts: datagram chunks round-trip at every boundary, the owner of an exporter is
// stable and never the receiving worker when there are others, and merged counters keep a dead worker's counts
// and name exporters by the main thread's ids.
import { describe, expect, it } from 'vitest';
import { emptyErrorCounts } from '../errors.js';
import { mergeStats, retire } from './merge.js';
import { ChunkWriter, CHUNK_BYTES, ownerOf, readChunk, type WorkerStats } from './protocol.js';

const read = (buffer: ArrayBuffer, length: number) => {
  const out: { bytes: number[]; address: string; listener: number; nowMs: number }[] = [];
  readChunk(buffer, length, (buf, address, listener, nowMs) =>
    out.push({ bytes: [...buf], address, listener, nowMs }),
  );
  return out;
};

describe('datagram chunks', () => {
  it('round-trip datagrams of any length, empty included, with source, listener and arrival time', () => {
    const w = new ChunkWriter(new ArrayBuffer(4096));
    const items = [
      { bytes: [], address: '192.0.2.1', listener: 0, nowMs: 1 },
      { bytes: [1, 2, 3], address: '2001:db8::ffff:1', listener: 3, nowMs: 1_800_000_000_123.5 },
      {
        bytes: Array.from({ length: 1500 }, (_, i) => i & 0xff),
        address: '::ffff:10.0.0.1',
        listener: 255,
        nowMs: 2,
      },
    ];
    for (const i of items) expect(w.add(Uint8Array.from(i.bytes), i.address, i.listener, i.nowMs)).toBe(true);
    expect(w.count).toBe(3);
    const length = w.length;
    const buffer = w.take(new ArrayBuffer(4096));
    expect(w.length).toBe(0);
    expect(read(buffer, length)).toEqual(items);
  });

  it('says when a datagram does not fit and refuses one larger than a chunk', () => {
    const address = '10.0.0.1';
    const w = new ChunkWriter(new ArrayBuffer(16 + address.length + 100));
    expect(w.add(new Uint8Array(100), address, 0, 0)).toBe(true); // exactly full
    expect(w.add(new Uint8Array(0), address, 0, 0)).toBe(false);
    expect(() => new ChunkWriter(new ArrayBuffer(64)).add(new Uint8Array(64), address, 0, 0)).toThrow(
      RangeError,
    );
    expect(() => new ChunkWriter().add(new Uint8Array(65_535), address, 0, 0)).not.toThrow();
    expect(CHUNK_BYTES).toBeGreaterThan(65_535 + 16 + 45);
  });
});

describe('ownerOf', () => {
  const sources = Array.from({ length: 200 }, (_, i) => `10.${i >> 8}.${i & 0xff}.7`);
  it('keeps every exporter on worker 0 alone, and off the receiving worker 0 when there are others', () => {
    for (const s of sources) expect(ownerOf(s, 1)).toBe(0);
    for (const n of [2, 3, 5])
      for (const s of sources) {
        const o = ownerOf(s, n);
        expect(o).toBeGreaterThanOrEqual(1);
        expect(o).toBeLessThan(n);
        expect(ownerOf(s, n)).toBe(o);
      }
  });
  it('spreads sources over the decoding workers', () => {
    const counts = [0, 0, 0, 0, 0];
    for (const s of sources) counts[ownerOf(s, 5)]!++;
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(c).toBeGreaterThan(25);
  });
});

function snapshot(datagrams: number, exporters: { id: number; address: string }[]): WorkerStats {
  const errors = { ...emptyErrorCounts(), truncated: datagrams };
  return {
    datagrams,
    rejected: 1,
    exporterLimit: 0,
    exportersEvicted: 0,
    batches: 2,
    errors,
    quarantinedRecords: 0,
    implausibleRecords: 0,
    held: { templates: 3, templateBytes: 30, pendingBytes: 0, interfaces: 0, refusals: 0 },
    shapes: { shapes: 1, fields: 2, hits: 3, misses: 4 },
    listeners: [
      {
        address: '0.0.0.0',
        port: 2055,
        recvBufferBytes: 0,
        datagrams,
        socketDrops: 0,
        socketDropsKnown: false,
        rxQueueBytes: 0,
        decodeErrors: datagrams,
        queueOverflows: 0,
        rejected: 1,
        receiveErrors: 0,
      },
    ],
    exporters: exporters.map((e) => ({
      ...e,
      decodeErrors: 0,
      queueOverflows: 0,
    })) as WorkerStats['exporters'],
  };
}

describe('merged counters', () => {
  it('sum every worker, keep a dead one’s totals but not its exporters, and map exporter ids', () => {
    const dead = retire(retire(undefined, snapshot(5, [{ id: 0, address: 'a' }])), snapshot(7, []));
    expect(dead.datagrams).toBe(12);
    expect(dead.listeners[0]!.datagrams).toBe(12);
    expect(dead.errors.truncated).toBe(12);
    expect(dead.exporters).toEqual([]);
    const ids = new Map<string, number>();
    const m = mergeStats(
      [
        {
          worker: 1,
          stats: snapshot(10, [
            { id: 0, address: 'b' },
            { id: 2, address: 'c' },
          ]),
          live: true,
        },
        { worker: 1, stats: dead, live: false },
        { worker: 2, stats: snapshot(1, [{ id: 0, address: 'd' }]), live: true },
      ],
      (w, l) => ids.get(`${w}/${l}`) ?? (ids.set(`${w}/${l}`, ids.size), ids.size - 1),
      [],
    );
    expect(m.datagrams).toBe(23);
    expect(m.rejected).toBe(4);
    expect(m.errors.truncated).toBe(23);
    expect(m.held.templates).toBe(6); // the dead worker's templates died with it
    expect(m.exporters.map((e) => [e.id, e.address])).toEqual([
      [0, 'b'],
      [1, 'c'],
      [2, 'd'],
    ]);
  });
});
