// The counting window takes records off its sums through per-target bucket aggregates (buckets.ts), a
// multi-bucket record's middle parts through a decay, and keeps one row (plus a moving part reference,
// parts.ts) only for records of targets that want rows (rowgate.ts): the window sums must still equal,
// at every tick, the records' shares in the buckets still inside the window (each record spread evenly
// over its duration), and so must the rows of every target that keeps them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import { parseDetectionConfig } from './config.js';
import { CountWindow } from './window.js';

const T0 = 1_700_000_000_000;
const TICK = 100;
const W = 10;

interface Rec {
  host: number;
  /** Arrival: ms after T0; the record ends then (a flow is exported when it ends). */
  at: number;
  durationMs: number;
  pkts: number;
}

/** Reference: the record's packets in buckets ≥ firstKept, the record spread evenly over [end − d, end]. */
function inWindow(r: Rec, firstKept: number, epochAtIngest: number): number {
  const e = T0 + r.at;
  const s = e - r.durationMs;
  const first = epochAtIngest - W;
  // records from the near future go into the bucket after the current one (the window's last)
  const to = Math.min(Math.floor(e / TICK), epochAtIngest + 1);
  const from = Math.max(Math.floor(s / TICK), first);
  if (from >= to) return to >= firstKept ? r.pkts : 0; // one bucket: the whole record
  let sum = 0;
  for (let ep = from; ep <= to; ep++) {
    if (ep < firstKept) continue;
    const a = Math.max(ep * TICK, s);
    const z = ep === to ? e : Math.min((ep + 1) * TICK, e);
    if (z > a) sum += (r.pkts * (z - a)) / r.durationMs;
  }
  return sum;
}

describe('window: bucket aggregates, multi-bucket records, rows only where wanted', () => {
  it('property: at every tick each host’s sums (and the rows of hosts that keep them) hold exactly its records’ shares still inside the window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            host: fc.integer({ min: 1, max: 3 }),
            at: fc.integer({ min: 0, max: 1500 }),
            durationMs: fc.integer({ min: 1, max: 3000 }),
            pkts: fc.integer({ min: 1, max: 10_000 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 0.5),
        (recs, jump, rowShare) => {
          // Host 1 has a zero pps limit, so it always wants rows; hosts 2 and 3 have no limits, so they
          // keep rows only when every record does (rowShare 0).
          const w = new CountWindow(
            parseDetectionConfig({
              networks: ['203.0.113.0/24'],
              rowShare,
              thresholds: { host: { incoming: { pps: 1e12 } }, prefix: { incoming: { pps: 1e13 } } },
              hostOverrides: { '203.0.113.1/32': { incoming: { pps: 0 } } },
            }),
          );
          const sorted = [...recs].sort((x, y) => x.at - y.at);
          const epochOf = new Map<Rec, number>();
          let now = T0;
          w.advance(now);
          const check = () => {
            const firstKept = Math.floor(now / TICK) - W;
            for (let h = 1; h <= 3; h++) {
              const want = sorted
                .filter((r) => r.host === h && epochOf.has(r))
                .reduce((acc, r) => acc + inWindow(r, firstKept, epochOf.get(r)!), 0);
              const id = w.sets[0]!.table.findWords(4, (0xcb007100 + h) >>> 0, 0, 0, 0);
              const got = id < 0 ? 0 : (w.sets[0]!.sums[id * w.sets[0]!.stride] as number);
              expect(got).toBeCloseTo(want, 6);
              // the rows hold the same (legitTraffic and the signature builder read them), or none
              let inRows = 0;
              for (const st of w.stores)
                for (let r = 0; r < st.length; r++) if (st.inHost[r] === id) inRows += st.pkts[r] as number;
              expect(inRows).toBeCloseTo(h === 1 || rowShare === 0 ? want : 0, 6);
            }
          };
          for (const r of sorted) {
            // ticks up to the record's arrival (several buckets at once when `jump` > 1)
            while (now + TICK * jump <= T0 + r.at) {
              now += TICK * jump;
              w.advance(now);
              check();
            }
            const b = new FlowBatch(1);
            const i = b.next();
            b.family[i] = 4;
            b.dstAddr[0] = (0xcb007100 + r.host) >>> 0;
            b.srcAddr[0] = 0xc6336401;
            b.proto[i] = 6;
            b.packets[i] = r.pkts;
            b.bytes[i] = r.pkts * 100;
            b.samplingRate[i] = 1;
            b.startMs[i] = T0 + r.at - r.durationMs;
            b.endMs[i] = T0 + r.at;
            b.format[i] = FORMAT_CODE.netflow9;
            epochOf.set(r, w.epoch);
            w.ingest(b, ['x']);
            check();
          }
          for (let k = 0; k < W + 3; k++) {
            now += TICK * jump;
            w.advance(now);
            check();
          }
          expect(w.rowCount()).toBe(0);
          for (const set of w.sets) {
            expect(set.activeCount).toBe(0);
            expect(set.decayingCount).toBe(0);
            // every id's sums and pending columns (its block up to the onset state) back to exactly zero
            expect(set.sums.every((x, j) => j % set.stride >= set.onsetOff || x === 0)).toBe(true);
            expect(set.pendCount).toBe(0);
          }
          expect(w.buckets.every((b) => b.entries === 0)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
