// Issue 19 item 1: what forged template traffic can make the collector hold is bounded — fields per template,
// templates and their octets per exporter and in total, data sets before their template — every refusal is
// counted on its exporter, templates expire (RFC 7011 §8.4), and identical field lists share one compiled shape.
import { describe, expect, it } from 'vitest';
import {
  counterSample,
  genericIfCounters,
  ipfix,
  ipfixTemplate,
  nf9,
  set,
  sflow,
  v9Template,
  type Spec,
} from '../../test/flow/wire.js';
import { decodeDatagram } from './datagram.js';
import { ExporterState } from './exporter.js';
import { DEFAULT_FLOW_LIMITS, FlowBudget, PER_EXPORTER, type FlowLimits } from './limits.js';
import { CollectingSink } from './sink.js';

const T0 = 1_800_000_000_000;
const BASIC: Spec[] = [
  [8, 4],
  [12, 4],
  [4, 1],
  [2, 4],
  [1, 4],
];

function exporter(over: Partial<FlowLimits> = {}, budget?: FlowBudget): ExporterState {
  const limits = { ...DEFAULT_FLOW_LIMITS, ...over };
  return new ExporterState(0, '192.0.2.1', limits, budget ?? new FlowBudget(limits));
}

const sink = new CollectingSink(64);
const v9 = (sets: Buffer[], seq = 1) => nf9({ uptime: 1000, secs: T0 / 1000, seq, sourceId: 1 }, sets);
const fields = (n: number, first = 100): Spec[] => Array.from({ length: n }, (_, k) => [first + k, 4]);

describe('template bounds', () => {
  it('refuses a template with more fields than allowed before allocating it; the next one in the set is kept', () => {
    const exp = exporter({ maxTemplateFields: 64 });
    const body = Buffer.concat([v9Template(300, fields(65)), v9Template(301, BASIC)]);
    decodeDatagram(v9([set(0, body)]), exp, sink, T0);
    expect(exp.errors['template-too-large']).toBe(1);
    expect(exp.templates.get(1, 300)).toBeUndefined();
    expect(exp.templates.get(1, 301)).toBeDefined();
  });

  it('walks an over-long IPFIX template with enterprise fields to the next one (16,000 fields, ~96 KB)', () => {
    const exp = exporter();
    const huge: Spec[] = Array.from({ length: 16_000 }, (_, k) =>
      k % 2 ? [k & 0x7fff, 4, 9] : [k & 0x7fff, 2],
    );
    const body = Buffer.concat([ipfixTemplate(400, huge), ipfixTemplate(401, BASIC)]);
    // one set cannot exceed 65535 octets: the huge template fills its own datagram-sized set
    decodeDatagram(
      ipfix({ exportSecs: T0 / 1000, seq: 0, domain: 1 }, [set(2, body.subarray(0, 60_000), false)]),
      exp,
      sink,
      T0,
    );
    expect(exp.errors['template-too-large'] + exp.errors.truncated).toBe(1);
    const small = Buffer.concat([ipfixTemplate(402, fields(300)), ipfixTemplate(403, BASIC)]);
    decodeDatagram(ipfix({ exportSecs: T0 / 1000, seq: 0, domain: 1 }, [set(2, small)]), exp, sink, T0);
    expect(exp.errors['template-too-large']).toBeGreaterThanOrEqual(1);
    expect(exp.templates.get(1, 402)).toBeUndefined();
    expect(exp.templates.get(1, 403)).toBeDefined();
    expect(exp.templates.size).toBe(1);
  });

  it('bounds templates per exporter by count and by octets, counting each refusal', () => {
    const byCount = exporter({ maxTemplatesPerExporter: 3 });
    for (let id = 256; id < 262; id++) decodeDatagram(v9([set(0, v9Template(id, BASIC))]), byCount, sink, T0);
    expect(byCount.templates.size).toBe(3);
    expect(byCount.errors['template-limit']).toBe(3);
    // a refresh of a held template is not a new one
    decodeDatagram(v9([set(0, v9Template(256, BASIC))]), byCount, sink, T0);
    expect(byCount.errors['template-limit']).toBe(3);

    const byBytes = exporter({ maxTemplateBytesPerExporter: 1000 });
    for (let id = 256; id < 262; id++)
      decodeDatagram(v9([set(0, v9Template(id, fields(60)))]), byBytes, sink, T0);
    // 4 + 60 × 4 = 244 octets each: four fit in 1000
    expect(byBytes.templates.size).toBe(4);
    expect(byBytes.templates.bytes).toBe(976);
    expect(byBytes.errors['template-limit']).toBe(2);
  });

  it('bounds templates of all exporters together; releasing an exporter frees its share', () => {
    const limits = { ...DEFAULT_FLOW_LIMITS, maxTemplatesTotal: 5 };
    const budget = new FlowBudget(limits);
    const a = exporter(limits, budget);
    const b = exporter(limits, budget);
    for (let id = 256; id < 260; id++) decodeDatagram(v9([set(0, v9Template(id, BASIC))]), a, sink, T0);
    for (let id = 256; id < 260; id++) decodeDatagram(v9([set(0, v9Template(id, BASIC))]), b, sink, T0);
    expect(budget.templates).toBe(5);
    expect(b.templates.size).toBe(1);
    expect(b.errors['template-budget']).toBe(3);
    a.release();
    expect(budget.templates).toBe(1);
    expect(budget.templateBytes).toBe(b.templates.bytes);
    decodeDatagram(v9([set(0, v9Template(300, BASIC))]), b, sink, T0);
    expect(b.templates.size).toBe(2);
  });

  it('expires a template not refreshed within its lifetime (RFC 7011 §8.4); a refresh keeps it', () => {
    const exp = exporter({ templateTimeoutMs: 60_000 });
    const data = set(256, Buffer.alloc(17, 1));
    decodeDatagram(v9([set(0, v9Template(256, BASIC))]), exp, sink, T0);
    decodeDatagram(v9([data], 2), exp, sink, T0 + 59_000);
    expect(exp.errors['unknown-template']).toBe(0);
    decodeDatagram(v9([set(0, v9Template(256, BASIC))], 3), exp, sink, T0 + 59_000); // refresh
    decodeDatagram(v9([data], 4), exp, sink, T0 + 118_000);
    expect(exp.errors['unknown-template']).toBe(0);
    decodeDatagram(v9([data], 5), exp, sink, T0 + 180_000);
    expect(exp.errors['unknown-template']).toBe(1);
    expect(exp.templates.expired).toBe(1);
    expect(exp.budget.templates).toBe(0);
    // the periodic sweep expires templates of exporters that send nothing else
    decodeDatagram(v9([set(0, v9Template(257, BASIC))], 6), exp, sink, T0 + 180_000);
    expect(exp.templates.sweep(T0 + 250_000)).toBe(1);
    expect(exp.stats().templatesExpired).toBe(2);
  });

  it('shares one compiled shape between templates with the same field list, across exporters', () => {
    const a = exporter();
    const b = exporter();
    decodeDatagram(
      v9([set(0, Buffer.concat([v9Template(256, BASIC), v9Template(999, BASIC)]))]),
      a,
      sink,
      T0,
    );
    decodeDatagram(v9([set(0, v9Template(512, BASIC))]), b, sink, T0);
    const t1 = a.templates.get(1, 256)!;
    const t2 = a.templates.get(1, 999)!;
    const t3 = b.templates.get(1, 512)!;
    expect(t1.ops).toBe(t2.ops);
    expect(t1.ops).toBe(t3.ops);
    expect(t1.writer).toBeDefined();
    expect(t1.writer).toBe(t3.writer);
    expect([t1.id, t2.id, t3.id]).toEqual([256, 999, 512]);
  });

  it('bounds data sets held before their template, per exporter and in total', () => {
    const limits = { ...DEFAULT_FLOW_LIMITS, maxPendingSets: 4, maxPendingBytesTotal: 3000 };
    const budget = new FlowBudget(limits);
    const a = exporter(limits, budget);
    const b = exporter(limits, budget);
    for (let k = 0; k < 10; k++) decodeDatagram(v9([set(300 + k, Buffer.alloc(500))], k), a, sink, T0);
    expect(a.pending.length).toBe(4);
    expect(a.errors['pending-overflow']).toBe(6);
    for (let k = 0; k < 4; k++) decodeDatagram(v9([set(300 + k, Buffer.alloc(500))], k), b, sink, T0);
    expect(budget.pendingBytes).toBeLessThanOrEqual(3000);
    expect(budget.pendingBytes).toBe(a.pendingBytes + b.pendingBytes);
    expect(b.errors['pending-overflow']).toBeGreaterThan(0);
  });

  it('bounds the sFlow interface counters an exporter can make it keep, per exporter and in total', () => {
    const budget = new FlowBudget();
    const a = exporter({}, budget);
    for (let k = 0; k < 3 * PER_EXPORTER.interfaces; k += 64) {
      const recs = Array.from({ length: 64 }, (_, j) => genericIfCounters(k + j, 0, 0));
      decodeDatagram(sflow({ agent: '10.0.0.1', seq: k }, [counterSample(1, 1, recs)]), a, sink, T0);
    }
    expect(a.interfaces.size).toBe(PER_EXPORTER.interfaces);
    expect(budget.interfaces).toBe(PER_EXPORTER.interfaces);
    a.release();
    expect(budget.interfaces).toBe(0);
  });
});
