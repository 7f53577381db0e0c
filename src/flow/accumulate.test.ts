// A decode worker adds a batch with ShardAccumulator.addFrom: runs of flow records are copied a column at a
// time, packet samples go through add (merged by conversation). Property: for any mix of flow records and samples from several
// exporters, with batches filling up mid-run, the batches handed on are exactly those of add() record by
// record (every column, node of each record, names, records offered).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardAccumulator } from './accumulate.js';
import { FlowBatch } from './batch.js';

const NODES = ['edge-1', 'edge-2', '192.0.2.7'];

/** What a flushed accumulator holds, comparable across the two ways of filling it. */
function snapshot(acc: ShardAccumulator) {
  const b = acc.batch;
  const n = b.length;
  const cols = Object.fromEntries(
    (
      [
        ['srcAddr', 4],
        ['dstAddr', 4],
        ['packets', 1],
        ['bytes', 1],
        ['startMs', 1],
        ['endMs', 1],
        ['samplingRate', 1],
        ['exporter', 1],
        ['inIf', 1],
        ['outIf', 1],
        ['srcAs', 1],
        ['dstAs', 1],
        ['srcPort', 1],
        ['dstPort', 1],
        ['vlan', 1],
        ['family', 1],
        ['proto', 1],
        ['tcpFlags', 1],
        ['fragment', 1],
        ['tos', 1],
        ['format', 1],
      ] as const
    ).map(([c, w]) => [c, Array.from(b[c].subarray(0, n * w))]),
  );
  return {
    cols,
    nodes: Array.from(acc.nodeOf.subarray(0, n)).map((i) => acc.names[i]),
    offered: acc.offered,
  };
}

function randomBatch(r: () => number, n: number): FlowBatch {
  const b = new FlowBatch(n);
  const pick = (k: number) => Math.floor(r() * k);
  for (let k = 0; k < n; k++) {
    const i = b.next();
    const sample = r() < 0.4;
    b.format[i] = sample ? 3 + pick(2) : pick(3);
    b.exporter[i] = r() < 0.8 ? (k >> 3) % NODES.length : pick(NODES.length); // mostly runs of one exporter
    b.family[i] = r() < 0.8 ? 4 : 6;
    for (let w = 0; w < (b.family[i] === 4 ? 1 : 4); w++) {
      b.srcAddr[i * 4 + w] = pick(3); // few sources and destinations: samples merge
      b.dstAddr[i * 4 + w] = pick(2);
    }
    b.proto[i] = [6, 17, 1][pick(3)]!;
    b.srcPort[i] = pick(3);
    b.dstPort[i] = 80;
    b.tcpFlags[i] = pick(2) * 2;
    b.packets[i] = 1 + pick(5);
    b.bytes[i] = 40 + pick(1500);
    b.samplingRate[i] = [1, 1000][pick(2)]!;
    b.inIf[i] = pick(4);
    b.vlan[i] = pick(2) * 100;
    const end = 1_800_000_000_000 + pick(300);
    b.endMs[i] = end;
    b.startMs[i] = sample ? end : end - pick(2000);
  }
  return b;
}

describe('ShardAccumulator.addFrom', () => {
  it('hands on exactly the batches of add() record by record, runs split by a full batch included', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 4, max: 40 }), (seed, capacity) => {
        let x = seed >>> 0 || 1;
        const r = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
        const input = randomBatch(r, 120);
        const nodeOf = (i: number) => NODES[input.exporter[i] as number]!;

        const one = new ShardAccumulator(capacity);
        const oneOut: unknown[] = [];
        for (let i = 0; i < input.length; i++) {
          one.add(input, i, nodeOf(i), 5);
          if (one.full) oneOut.push(snapshot(one), one.reset());
        }
        oneOut.push(snapshot(one));

        // as the decode worker adds a batch (workers/decode-worker.ts)
        const runs = new ShardAccumulator(capacity);
        const runsOut: unknown[] = [];
        for (let i = 0; i < input.length;) {
          i = runs.addFrom(input, i, (e) => NODES[e]!, 5);
          if (runs.full) runsOut.push(snapshot(runs), runs.reset());
        }
        runsOut.push(snapshot(runs));
        expect(runsOut).toEqual(oneOut);
      }),
      { numRuns: 300 },
    );
  });

  it('merges samples of one conversation but keeps every flow record, identical ones included', () => {
    const input = new FlowBatch(8);
    for (let k = 0; k < 8; k++) {
      const i = input.next();
      const sample = k % 2 === 0;
      input.format[i] = sample ? 3 : 1; // sFlow samples, NetFlow v9 records
      input.family[i] = 4;
      input.srcAddr[i * 4] = 1;
      input.dstAddr[i * 4] = 2;
      input.proto[i] = 17;
      input.packets[i] = 1;
      input.bytes[i] = 100;
      input.endMs[i] = 1_800_000_000_000;
      input.startMs[i] = sample ? input.endMs[i]! : input.endMs[i]! - 500;
    }
    const acc = new ShardAccumulator(16);
    expect(acc.addFrom(input, 0, () => 'n', 0)).toBe(8);
    expect(acc.offered).toBe(8);
    expect(acc.length).toBe(1 + 4);
    expect(acc.batch.packets[0]).toBe(4); // the four samples, summed
  });
});
