// FlowBatch.next() hands out slots whose optional columns are clear (issue 15: cleared in bulk at reset, or
// slot by slot when a slot comes back dirty). Every way a slot can be reused is covered here.
import { describe, expect, it } from 'vitest';
import { FlowBatch } from './batch.js';

/** The columns next() promises to clear, as one readable record. */
function optional(b: FlowBatch, i: number): number[] {
  const a = i * 4;
  return [
    ...b.srcAddr.subarray(a, a + 4),
    ...b.dstAddr.subarray(a, a + 4),
    b.tcpFlags[i]!,
    b.fragment[i]!,
    b.tos[i]!,
    b.srcPort[i]!,
    b.dstPort[i]!,
    b.inIf[i]!,
    b.outIf[i]!,
    b.srcAs[i]!,
    b.dstAs[i]!,
    b.vlan[i]!,
    b.samplingRate[i]!,
  ];
}
const CLEAR = [...new Array<number>(8).fill(0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

/** Writes non-default values into every optional column of slot i. */
function scribble(b: FlowBatch, i: number): void {
  const a = i * 4;
  for (let k = 0; k < 4; k++) {
    b.srcAddr[a + k] = 0xdeadbeef;
    b.dstAddr[a + k] = 0xfeedface;
  }
  b.tcpFlags[i] = 0x12;
  b.fragment[i] = 3;
  b.tos[i] = 0xb8;
  b.srcPort[i] = 53;
  b.dstPort[i] = 443;
  b.inIf[i] = 7;
  b.outIf[i] = 9;
  b.srcAs[i] = 65001;
  b.dstAs[i] = 65002;
  b.vlan[i] = 100;
  b.samplingRate[i] = 1000;
}

function fill(b: FlowBatch, n: number): void {
  for (let k = 0; k < n; k++) scribble(b, b.next());
}

describe('FlowBatch.next', () => {
  it('a fresh batch hands out clear slots, sampling rate 1', () => {
    const b = new FlowBatch(8);
    for (let k = 0; k < 8; k++) expect(optional(b, b.next())).toEqual(CLEAR);
    expect(b.next()).toBe(-1);
  });

  it('after reset every slot used before is clear again, a partial batch too', () => {
    const b = new FlowBatch(8);
    fill(b, 8);
    b.reset();
    for (let k = 0; k < 8; k++) expect(optional(b, b.next())).toEqual(CLEAR);
    b.reset();
    fill(b, 3);
    b.reset();
    for (let k = 0; k < 8; k++) expect(optional(b, b.next())).toEqual(CLEAR);
  });

  it('a slot given back half-written (length--) is cleared when handed out again', () => {
    const b = new FlowBatch(8);
    fill(b, 2);
    b.length--;
    expect(optional(b, b.next())).toEqual(CLEAR);
    // after compaction (screen.ts) shortens the batch, the dropped tail comes back clear too
    fill(b, 5);
    b.length = 2;
    for (let k = 2; k < 8; k++) expect(optional(b, b.next())).toEqual(CLEAR);
  });

  it('a batch over a reused buffer clears every slot it hands out, before and after reset', () => {
    const dirty = new FlowBatch(8);
    fill(dirty, 8);
    const b = new FlowBatch(8, dirty.buffer);
    for (let k = 0; k < 8; k++) expect(optional(b, b.next())).toEqual(CLEAR);
    for (let k = 0; k < 8; k++) scribble(dirty, k);
    const c = new FlowBatch(8, dirty.buffer);
    c.length = 5; // what a batch posted by a decode worker looks like (workers/pool.ts)
    c.reset();
    for (let k = 0; k < 8; k++) expect(optional(c, c.next())).toEqual(CLEAR);
  });
});
