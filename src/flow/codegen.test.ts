import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowBatch } from './batch.js';
import { decodeDataSet, type SetContext } from './dataset.js';
import { ExporterState } from './exporter.js';
import { compileTemplate } from './fields.js';
import type { BatchSink } from './sink.js';
import type { TemplateField } from './templates.js';

// [IE id, length] pairs covering every operation (plus unknown and enterprise fields)
const POOL: [number, number, number?][] = [
  [1, 4],
  [1, 8],
  [1, 3],
  [2, 4],
  [2, 8],
  [4, 1],
  [5, 1],
  [6, 1],
  [6, 2],
  [7, 2],
  [8, 4],
  [10, 2],
  [10, 4],
  [11, 2],
  [12, 4],
  [14, 4],
  [21, 4],
  [22, 4],
  [27, 16],
  [28, 16],
  [32, 2],
  [34, 4],
  [48, 1],
  [48, 2],
  [50, 4],
  [85, 8],
  [86, 8],
  [88, 2],
  [139, 2],
  [150, 4],
  [151, 4],
  [152, 8],
  [153, 8],
  [154, 8],
  [155, 8],
  [156, 8],
  [157, 8],
  [158, 4],
  [159, 4],
  [176, 1],
  [177, 1],
  [197, 1],
  [302, 2],
  [16, 4],
  [17, 2],
  [58, 2],
  [61, 1],
  [136, 1],
  [999, 5],
  [1, 5, 9],
  [8, 4, 29305],
  [12, 3],
];

const COLUMNS = [
  'srcAs',
  'dstAs',
  'vlan',
  'family',
  'srcAddr',
  'dstAddr',
  'proto',
  'srcPort',
  'dstPort',
  'tcpFlags',
  'fragment',
  'tos',
  'packets',
  'bytes',
  'samplingRate',
  'exporter',
  'format',
  'inIf',
  'outIf',
  'startMs',
  'endMs',
] as const;

function run(fields: TemplateField[], data: Uint8Array, ipfix: boolean, generated: boolean): FlowBatch {
  const t = compileTemplate(300, fields, false, !ipfix)!;
  if (!generated) delete t.writer;
  else expect(t.writer).toBeDefined();
  const exp = new ExporterState(3, 'x');
  exp.systemInitMs.set(1, 1_700_000_000_000);
  exp.sampling.note(7, 64);
  const sink: BatchSink = { batch: new FlowBatch(256), rotate: () => undefined };
  const ctx: SetContext = {
    formatCode: ipfix ? 2 : 1,
    ipfix,
    domain: 1,
    exportMs: 1_800_000_000_000,
    sysUptime: 123_456,
  };
  decodeDataSet(
    new DataView(data.buffer, data.byteOffset, data.byteLength),
    0,
    data.length,
    t,
    ctx,
    exp,
    sink,
  );
  return sink.batch;
}

describe('generated record decoders', () => {
  it('agree with the interpreter on random fixed-length templates and records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 24 }),
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.boolean(),
        (spec, data, ipfix) => {
          const fields = spec.map(([id, length, enterprise]) => ({
            id,
            length,
            enterprise: enterprise ?? 0,
            scope: false,
          }));
          const a = run(fields, data, ipfix, true);
          const b = run(fields, data, ipfix, false);
          expect(a.length).toBe(b.length);
          for (const c of COLUMNS) {
            const width = c === 'srcAddr' || c === 'dstAddr' ? 4 : 1;
            expect(Array.from(a[c].subarray(0, a.length * width)), c).toEqual(
              Array.from(b[c].subarray(0, b.length * width)),
            );
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
