// Issue 15: exporters re-send their templates every few datagrams (RFC 3954 §5.2, RFC 7011 §8.1); an unchanged
// re-send must only restart the template's lifetime (a byte compare), a changed one must be compiled and used, and
// the per-listener error counters the collector keeps from the exporter's running totals must stay exact.
import { describe, expect, it } from 'vitest';
import { Harness } from '../../test/flow/decode-helper.js';
import {
  ipfix,
  ipfixOptionsTemplate,
  ipfixTemplate,
  nf9,
  set,
  v9OptionsTemplate,
  v9Template,
  w,
  type Spec,
} from '../../test/flow/wire.js';
import { FlowCollector } from './collector.js';
import { FLOW_ERROR_KINDS } from './errors.js';
import { DEFAULT_FLOW_LIMITS } from './limits.js';
import { splitErrors } from './pressure.js';
import { shapeCacheStats } from './shapes.js';

const SECS = 1_800_000_000;
const T0 = SECS * 1000;
const A: Spec[] = [
  [8, 4],
  [12, 4],
  [1, 4],
  [2, 4],
];
// the same ids with a 2-octet byte counter: a changed definition under the same template id
const B: Spec[] = [
  [8, 4],
  [12, 4],
  [1, 2],
  [2, 4],
];
const recA = (bytes: number) => w().ip('198.51.100.1').ip('203.0.113.5').u32(bytes).u32(2).build();
const recB = (bytes: number) => w().ip('198.51.100.1').ip('203.0.113.5').u16(bytes).u32(2).build();
const OPT_SCOPE: Spec[] = [[1, 4]];
const OPT: Spec[] = [[34, 4]];

/** Compilations so far: every compileTemplate call looks its shape up once (a hit or a miss). */
const compiles = () => {
  const s = shapeCacheStats();
  return s.hits + s.misses;
};

const v9 = (seq: number, sets: Uint8Array[]) => nf9({ uptime: 60_000, secs: SECS, seq, sourceId: 7 }, sets);

describe('template refresh (issue 15)', () => {
  it('NetFlow v9: an identical re-send costs no compile and restarts the lifetime', () => {
    const h = new Harness();
    h.feed(v9(0, [set(0, v9Template(256, A)), set(1, v9OptionsTemplate(300, OPT_SCOPE, OPT))]), T0);
    expect(h.exp.templates.size).toBe(2);
    const before = compiles();
    const first = h.exp.templates.get(7, 256);
    // re-sent after most of the lifetime has gone by
    const later = T0 + DEFAULT_FLOW_LIMITS.templateTimeoutMs - 1000;
    for (let k = 1; k <= 3; k++)
      h.feed(
        v9(k, [
          set(0, v9Template(256, A)),
          set(1, v9OptionsTemplate(300, OPT_SCOPE, OPT)),
          set(256, recA(k)),
        ]),
        later,
      );
    expect(compiles()).toBe(before);
    expect(h.exp.templates.refreshed).toBe(6);
    expect(h.exp.stats().templatesRefreshed).toBe(6);
    expect(h.exp.templates.get(7, 256)).toBe(first);
    // the lifetime now counts from the refresh: still alive past the first arrival's timeout
    expect(h.exp.templates.get(7, 256, T0 + DEFAULT_FLOW_LIMITS.templateTimeoutMs + 5000)).toBe(first);
    expect(h.exp.templates.get(7, 300, later + DEFAULT_FLOW_LIMITS.templateTimeoutMs)).toBeDefined();
    expect(h.rows().map((r) => r.bytes)).toEqual([1, 2, 3]);
    expect(h.errorTotal()).toBe(0);
  });

  it('NetFlow v9: a changed definition under the same id is compiled and decodes with the new layout', () => {
    const h = new Harness();
    h.feed(v9(0, [set(0, v9Template(256, A)), set(256, recA(1000))]), T0);
    const before = compiles();
    const bytesBefore = h.exp.templates.bytes;
    h.feed(v9(1, [set(0, v9Template(256, B)), set(256, recB(700))]), T0 + 1);
    expect(compiles()).toBe(before + 1);
    expect(h.exp.templates.refreshed).toBe(0);
    expect(h.exp.templates.get(7, 256)?.minLength).toBe(14);
    expect(h.exp.templates.bytes).toBe(bytesBefore);
    // and the changed one is what an identical re-send is now compared against
    h.feed(v9(2, [set(0, v9Template(256, B)), set(256, recB(701))]), T0 + 2);
    expect(compiles()).toBe(before + 1);
    expect(h.exp.templates.refreshed).toBe(1);
    expect(h.rows().map((r) => r.bytes)).toEqual([1000, 700, 701]);
    expect(h.errorTotal()).toBe(0);
  });

  it('NetFlow v9: a template refused by the bounds is not remembered as known', () => {
    const h = new Harness();
    const many = Array.from({ length: DEFAULT_FLOW_LIMITS.maxTemplateFields + 1 }, (): Spec => [8, 4]);
    h.feed(v9(0, [set(0, v9Template(256, many))]), T0);
    h.feed(v9(1, [set(0, v9Template(256, many))]), T0 + 1);
    expect(h.exp.errors['template-too-large']).toBe(2);
    expect(h.exp.templates.size).toBe(0);
    expect(h.exp.templates.refreshed).toBe(0);
  });

  it('NetFlow v9: data queued before its template is decoded when the template arrives, refresh or not', () => {
    const h = new Harness();
    h.feed(v9(0, [set(256, recA(5))]), T0);
    expect(h.exp.pending.length).toBe(1);
    h.feed(v9(1, [set(0, v9Template(256, A))]), T0 + 1);
    h.feed(v9(2, [set(0, v9Template(256, A))]), T0 + 2);
    expect(h.exp.pending.length).toBe(0);
    expect(h.rows().map((r) => r.bytes)).toEqual([5]);
    expect(h.exp.templates.refreshed).toBe(1);
  });

  it('IPFIX: identical re-sends (enterprise fields, options) are refreshed; a changed PEN is recompiled', () => {
    const h = new Harness();
    const F: Spec[] = [
      [8, 4],
      [12, 4],
      [1, 4],
      [2, 4],
      [100, 4, 9],
    ];
    const F2: Spec[] = [
      [8, 4],
      [12, 4],
      [1, 4],
      [2, 4],
      [100, 4, 10],
    ];
    const rec = (bytes: number) => w().ip('198.51.100.1').ip('203.0.113.5').u32(bytes).u32(2).u32(0).build();
    const tmpl = (fields: Spec[]) => set(2, ipfixTemplate(256, fields));
    const opts = set(
      3,
      ipfixOptionsTemplate(300, 1, [
        [149, 4],
        [34, 4],
      ]),
    );
    let seq = 0;
    const msg = (sets: Uint8Array[], records: number) => {
      const m = ipfix({ exportSecs: SECS, seq, domain: 3 }, sets);
      seq += records;
      return m;
    };
    h.feed(msg([tmpl(F), opts, set(256, rec(1))], 1), T0);
    const before = compiles();
    h.feed(msg([tmpl(F), opts, set(256, rec(2))], 1), T0 + 1);
    expect(compiles()).toBe(before);
    expect(h.exp.templates.refreshed).toBe(2);
    h.feed(msg([tmpl(F2), set(256, rec(3))], 1), T0 + 2);
    expect(compiles()).toBe(before + 1);
    expect(h.exp.templates.refreshed).toBe(2);
    // withdrawal still removes it; the next copy is a new template again
    h.feed(msg([set(2, w().u16(256).u16(0).build()), tmpl(F2)], 0), T0 + 3);
    expect(compiles()).toBe(before + 2);
    expect(h.rows().map((r) => r.bytes)).toEqual([1, 2, 3]);
    expect(h.errorTotal()).toBe(0);
  });

  it('IPFIX: a template record cut short is still truncated, not refreshed', () => {
    const h = new Harness();
    const F: Spec[] = [
      [8, 4],
      [100, 4, 9],
    ];
    h.feed(ipfix({ exportSecs: SECS, seq: 0, domain: 3 }, [set(2, ipfixTemplate(256, F))]), T0);
    const cut = ipfixTemplate(256, F).subarray(0, 10);
    expect(h.feed(ipfix({ exportSecs: SECS, seq: 0, domain: 3 }, [set(2, cut, false)]), T0 + 1)).toBe(
      'truncated',
    );
    expect(h.exp.templates.refreshed).toBe(0);
  });
});

describe('per-listener error counters from the exporter running totals (issue 15)', () => {
  it('decode errors and queue overflows are counted exactly, per listener and per exporter', () => {
    const c = new FlowCollector({ listen: [], onBatch: () => undefined, now: () => T0 });
    c.countListeners([
      { address: '127.0.102.1', port: 2055 },
      { address: '127.0.102.2', port: 2055 },
    ]);
    let seq = 0;
    const feed = (buf: Uint8Array, from: string, listener: number) => c.ingest(buf, from, T0, listener);
    // listener 0: a good datagram, a truncated one, an unknown format, then data sets before any template
    feed(v9(seq++, [set(0, v9Template(256, A)), set(256, recA(1))]), '10.0.0.1', 0);
    feed(v9(seq++, [set(0, v9Template(256, A))]).subarray(0, 30), '10.0.0.1', 0);
    feed(Buffer.from([0, 7, 0, 0]), '10.0.0.1', 0);
    const maxSets = DEFAULT_FLOW_LIMITS.maxPendingSets;
    for (let k = 0; k < maxSets + 3; k++) feed(v9(seq++, [set(999, recA(k))]), '10.0.0.2', 1);
    const l = c.listenerStats(false);
    expect(l.map((x) => [x.datagrams, x.decodeErrors, x.queueOverflows])).toEqual([
      [3, 2, 0],
      // every early set is an unknown-template error; the queue holds maxPendingSets, the rest pushed out
      [maxSets + 3, maxSets + 3, 3],
    ]);
    const st = c.stats(false);
    for (const e of st.exporters) {
      expect({ decodeErrors: e.decodeErrors, queueOverflows: e.queueOverflows }).toEqual(
        splitErrors(e.errors),
      );
    }
    const sum = (k: 'decodeErrors' | 'queueOverflows') => st.exporters.reduce((a, e) => a + e[k], 0);
    expect(sum('decodeErrors')).toBe(2 + maxSets + 3);
    expect(sum('queueOverflows')).toBe(3);
    expect(st.backpressure).toMatchObject({ decodeErrors: 2 + maxSets + 3, queueOverflows: 3 });
    let total = 0;
    for (const k of FLOW_ERROR_KINDS) total += st.errors[k];
    expect(total).toBe(2 + maxSets + 3 + 3);
  });
});
