// The native receiver hands sFlow datagrams to the decoder in place: a range of a buffer that holds the
// batch's other datagrams before and after it (native-receive.ts, datagram.ts decodeDatagramAt). A
// decoder reading past its datagram's end would no longer meet a DataView bound there but the next
// datagram's octets. Property: real and mutated sFlow datagrams decoded in place, between random octets,
// give exactly what the same datagram gives alone in a buffer of its own length (records, errors, the
// raw headers a tap sees).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, seeds } from '../../test/flow/fuzz-core.js';
import { FlowBatch } from './batch.js';
import { decodeDatagram, decodeDatagramAt } from './datagram.js';
import { ExporterState } from './exporter.js';
import { DEFAULT_FLOW_LIMITS } from './limits.js';
import type { BatchSink, RawHeaderTap } from './sink.js';

const NOW = 1_800_000_000_000;

class Side implements BatchSink {
  batch = new FlowBatch(4096);
  readonly exp = new ExporterState(0, '198.51.100.7', DEFAULT_FLOW_LIMITS);
  readonly taps: string[] = [];
  readonly rawTap: RawHeaderTap = (dv, off, len, hp, orig, _b, i) => {
    const octets = Buffer.from(dv.buffer, dv.byteOffset + off, len).toString('hex');
    this.taps.push(`${i} ${hp} ${orig} ${octets}`);
  };
  rotate(): void {
    this.batch.reset();
  }
  /** What the side decoded so far, comparable across sides. */
  seen(): unknown {
    const b = this.batch;
    return {
      records: this.exp.records,
      errors: { ...this.exp.errors },
      columns: Buffer.from(b.buffer).toString('base64'),
      length: b.length,
      taps: this.taps.splice(0),
    };
  }
}

describe('sFlow decoded in place (native receive buffers)', () => {
  const real = seeds().sflow5;

  it('has real datagrams to start from', () => {
    expect(real.length).toBeGreaterThan(0);
  });

  it('decodes a datagram between other octets exactly as alone, mutated or not', () => {
    const alone = new Side();
    const inPlace = new Side();
    fc.assert(
      fc.property(
        fc.nat(real.length - 1),
        fc.integer(),
        fc.nat(64),
        fc.nat(64),
        fc.boolean(),
        (k, seed, before, after, pristine) => {
          let x = seed >>> 0 || 1;
          const r = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
          const d = pristine ? real[k]! : mutate(real[k]!, r);
          // alone: a buffer of the datagram's own length
          const own = Uint8Array.from(d);
          const a = decodeDatagram(own, alone.exp, alone, NOW);
          // in place: random octets on both sides, as the neighbours in a receive buffer
          const big = new Uint8Array(before + d.length + after);
          for (let j = 0; j < big.length; j++) big[j] = Math.floor(r() * 256);
          big.set(d, before);
          const b = decodeDatagramAt(
            big,
            new DataView(big.buffer),
            before,
            d.length,
            inPlace.exp,
            inPlace,
            NOW,
          );
          expect(b).toBe(a);
          expect(inPlace.seen()).toEqual(alone.seen());
          alone.batch.reset();
          inPlace.batch.reset();
        },
      ),
      { numRuns: 3000 },
    );
    expect(alone.exp.records).toBeGreaterThan(0);
    expect(Object.values(alone.exp.errors).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
  });
});
