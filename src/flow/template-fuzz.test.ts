// Structure-aware fuzzing (issue 19 item 1): well-formed-looking NetFlow v9 / IPFIX datagrams — template,
// options-template, withdrawal, data and sampling-options sets with random field lists, lengths, enterprise
// numbers and ids — from several exporters sharing one budget, with time jumping past template lifetimes.
// After every datagram the decoders must not have thrown and every bound must hold, per exporter and in total;
// sFlow samples with random sampling rates must leave only believable records after screening. Bounded runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  flowSample,
  ipfix,
  ipfixOptionsTemplate,
  ipfixTemplate,
  nf9,
  sampledIpv4,
  set,
  sflow,
  v9OptionsTemplate,
  v9Template,
  type Spec,
} from '../../test/flow/wire.js';
import { FlowBatch } from './batch.js';
import { ExporterState } from './exporter.js';
import { decodeIpfix } from './ipfix.js';
import { FlowBudget, DEFAULT_FLOW_LIMITS, type FlowLimits } from './limits.js';
import { decodeNetflow9 } from './netflow9.js';
import { screenBatch, DEFAULT_SCREEN } from './screen.js';
import { decodeSflow } from './sflow.js';
import type { BatchSink } from './sink.js';

const LIMITS: FlowLimits = {
  ...DEFAULT_FLOW_LIMITS,
  maxTemplateFields: 48,
  maxTemplatesPerExporter: 12,
  maxTemplateBytesPerExporter: 1024,
  maxTemplatesTotal: 24,
  maxTemplateBytesTotal: 2048,
  templateTimeoutMs: 10_000,
  maxPendingSets: 4,
  maxPendingBytesPerExporter: 1024,
  maxPendingBytesTotal: 1536,
};

// information elements floodgate reads (and lengths they are read at), sampling ones included, plus noise
const IE = [
  1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14, 21, 22, 27, 28, 34, 48, 50, 88, 150, 152, 160, 197, 302, 305, 306, 309,
  310,
];
const field: fc.Arbitrary<Spec> = fc
  .tuple(
    fc.oneof(fc.constantFrom(...IE), fc.integer({ min: 0, max: 0x7fff })),
    fc.oneof(fc.constantFrom(1, 2, 4, 8, 16, 65535), fc.integer({ min: 0, max: 24 })),
    fc.option(fc.integer({ min: 1, max: 0xffffffff }), { freq: 6, nil: undefined }),
  )
  .map(([id, len, pen]) => (pen === undefined ? [id, len] : [id, len, pen]));
// mostly ordinary sizes, sometimes over the field bound
const fieldList = fc.oneof(
  { weight: 8, arbitrary: fc.array(field, { minLength: 1, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.array(field, { minLength: 49, maxLength: 120 }) },
);
const templateId = fc.integer({ min: 256, max: 300 });

type SetSpec =
  | { kind: 'template'; records: { id: number; fields: Spec[] }[] }
  | { kind: 'options'; id: number; scope: number; fields: Spec[] }
  | { kind: 'withdraw'; id: number }
  | { kind: 'data'; id: number; body: Uint8Array };

const setSpec: fc.Arbitrary<SetSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('template' as const),
    records: fc.array(fc.record({ id: templateId, fields: fieldList }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('options' as const),
    id: templateId,
    scope: fc.integer({ min: 1, max: 2 }),
    fields: fieldList,
  }),
  fc.record({ kind: fc.constant('withdraw' as const), id: fc.oneof(templateId, fc.constantFrom(2, 3)) }),
  fc.record({ kind: fc.constant('data' as const), id: templateId, body: fc.uint8Array({ maxLength: 400 }) }),
);

interface DatagramSpec {
  exporter: number;
  ipfix: boolean;
  domain: number;
  advanceMs: number;
  sets: SetSpec[];
}
const datagram: fc.Arbitrary<DatagramSpec> = fc.record({
  exporter: fc.integer({ min: 0, max: 2 }),
  ipfix: fc.boolean(),
  domain: fc.integer({ min: 0, max: 2 }),
  advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 15_000 })),
  sets: fc.array(setSpec, { minLength: 1, maxLength: 4 }),
});

function encode(d: DatagramSpec, seq: number, nowMs: number): Buffer {
  const sets = d.sets.flatMap((s): Buffer[] => {
    switch (s.kind) {
      case 'template': {
        const recs = s.records.map((r) => {
          // v9 has no enterprise numbers
          const f = d.ipfix ? r.fields : r.fields.map(([id, len]): Spec => [id, len]);
          return d.ipfix ? ipfixTemplate(r.id, f) : v9Template(r.id, f);
        });
        return [set(d.ipfix ? 2 : 0, Buffer.concat(recs))];
      }
      case 'options': {
        const scope = Math.min(s.scope, s.fields.length);
        const f = d.ipfix ? s.fields : s.fields.map(([id, len]): Spec => [id, len]);
        const body = d.ipfix
          ? ipfixOptionsTemplate(s.id, scope, f)
          : v9OptionsTemplate(s.id, f.slice(0, scope), f.slice(scope));
        return [set(d.ipfix ? 3 : 1, body)];
      }
      case 'withdraw':
        return d.ipfix ? [set(s.id === 3 ? 3 : 2, Buffer.from([s.id >> 8, s.id & 255, 0, 0]))] : [];
      case 'data':
        return [set(s.id, s.body)];
    }
  });
  return d.ipfix
    ? ipfix({ exportSecs: Math.floor(nowMs / 1000), seq, domain: d.domain }, sets)
    : nf9({ uptime: 1000, secs: Math.floor(nowMs / 1000), seq, sourceId: d.domain }, sets);
}

function checkBounds(exps: ExporterState[], budget: FlowBudget): void {
  let templates = 0;
  let bytes = 0;
  let pending = 0;
  for (const e of exps) {
    expect(e.templates.size).toBeLessThanOrEqual(LIMITS.maxTemplatesPerExporter);
    expect(e.templates.bytes).toBeLessThanOrEqual(LIMITS.maxTemplateBytesPerExporter);
    expect(e.pending.length).toBeLessThanOrEqual(LIMITS.maxPendingSets);
    expect(e.pendingBytes).toBeLessThanOrEqual(LIMITS.maxPendingBytesPerExporter);
    templates += e.templates.size;
    bytes += e.templates.bytes;
    pending += e.pendingBytes;
  }
  // the shared budget is exactly what the exporters hold: nothing leaks on refusal, expiry or withdrawal
  expect(budget.templates).toBe(templates);
  expect(budget.templateBytes).toBe(bytes);
  expect(budget.pendingBytes).toBe(pending);
  expect(templates).toBeLessThanOrEqual(LIMITS.maxTemplatesTotal);
  expect(bytes).toBeLessThanOrEqual(LIMITS.maxTemplateBytesTotal);
  expect(pending).toBeLessThanOrEqual(LIMITS.maxPendingBytesTotal);
}

describe('structure-aware template fuzzing', () => {
  it('holds every bound, per exporter and in total, whatever templates, options and data arrive', () => {
    let refusals = 0;
    fc.assert(
      fc.property(fc.array(datagram, { minLength: 1, maxLength: 30 }), (ds) => {
        const budget = new FlowBudget(LIMITS);
        const exps = [0, 1, 2].map((k) => new ExporterState(k, `192.0.2.${k + 1}`, LIMITS, budget));
        const sink: BatchSink = { batch: new FlowBatch(64), rotate: () => sink.batch.reset() };
        let now = 1_800_000_000_000;
        ds.forEach((d, seq) => {
          now += d.advanceMs;
          const exp = exps[d.exporter]!;
          exp.lastSeenMs = now;
          const buf = encode(d, seq, now);
          const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
          // the decoders themselves, without decodeDatagram's safety net: a throw fails the property
          if (d.ipfix) decodeIpfix(dv, exp, sink);
          else decodeNetflow9(dv, exp, sink);
          checkBounds(exps, budget);
          // sampling options never leave a rate the batch column cannot hold
          for (const e of exps) {
            const r = e.sampling.rate(-1, 0);
            expect(r >= 1 && r <= 0xffffffff).toBe(true);
          }
          for (let i = 0; i < sink.batch.length; i++) {
            expect(sink.batch.samplingRate[i]).toBeGreaterThanOrEqual(1);
            expect([4, 6]).toContain(sink.batch.family[i]);
          }
          sink.batch.reset();
        });
        for (const e of exps)
          refusals +=
            e.errors['template-too-large'] + e.errors['template-limit'] + e.errors['template-budget'];
        // expiry and eviction release everything
        for (const e of exps) e.templates.sweep(now + LIMITS.templateTimeoutMs + 1);
        for (const e of exps) e.release();
        expect(budget.snapshot()).toMatchObject({ templates: 0, templateBytes: 0, pendingBytes: 0 });
      }),
      { numRuns: 300 },
    );
    // the generator reaches the bounds (the property is not vacuous)
    expect(refusals).toBeGreaterThan(0);
  });

  it('leaves only believable records after screening sFlow samples with random sampling rates', () => {
    const rates = fc.oneof(
      fc.constantFrom(0, 1, 64, 1000, 65536, 65537, 0xffffffff),
      fc.integer({ min: 0, max: 0xffffffff }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            rate: rates,
            n: fc.integer({ min: 1, max: 6 }),
            advance: fc.integer({ min: 0, max: 40_000 }),
          }),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (ds) => {
          const exp = new ExporterState(0, '10.0.0.1');
          exp.maxBps = 1e10;
          const sink: BatchSink = { batch: new FlowBatch(256), rotate: () => undefined };
          let now = 1_800_000_000_000;
          let decoded = 0;
          let kept = 0;
          ds.forEach((d, seq) => {
            now += d.advance;
            exp.lastSeenMs = now;
            const rec = sampledIpv4({
              length: 500,
              proto: 17,
              src: '198.51.100.1',
              dst: '203.0.113.9',
              sport: 1,
              dport: 2,
              flags: 0,
              tos: 0,
            });
            const buf = sflow(
              { agent: '10.0.0.1', seq },
              Array.from({ length: d.n }, () => flowSample({ rate: d.rate }, [rec])),
            );
            const before = sink.batch.length;
            decodeSflow(new DataView(buf.buffer, buf.byteOffset, buf.byteLength), exp, sink, now);
            decoded += sink.batch.length - before;
            screenBatch(sink.batch, [exp], now, DEFAULT_SCREEN);
            for (let i = 0; i < sink.batch.length; i++) {
              const r = sink.batch.samplingRate[i]!;
              expect(r).toBeGreaterThanOrEqual(1);
              expect(r).toBeLessThanOrEqual(DEFAULT_SCREEN.maxSamplingRate);
            }
            kept += sink.batch.length;
            sink.batch.reset();
          });
          expect(kept + exp.quarantinedRecords + exp.implausibleRecords).toBe(decoded);
          // a quarantine or ceiling offence flags the exporter
          if (exp.implausibleRecords > 0 || ds.some((d) => d.rate > DEFAULT_SCREEN.maxSamplingRate))
            expect(exp.implausibleReason).not.toBeNull();
        },
      ),
      { numRuns: 400 },
    );
  });
});
