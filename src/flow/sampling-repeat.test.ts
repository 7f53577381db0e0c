// Issue 15: every sFlow sample repeats its source's rate and drop counter; the per-exporter state remembers the
// last stored pair so a repeat skips the maps. These pin that a repeat changes nothing that a fresh note would not.
import { describe, expect, it } from 'vitest';
import { ExporterState } from './exporter.js';
import { PER_EXPORTER } from './limits.js';
import { ABSURD_RATE, EXPORTER_WIDE, SamplingState } from './sampling.js';

describe('SamplingState.note repeats', () => {
  it('counts changes across interleaved samplers exactly', () => {
    const s = new SamplingState();
    for (let k = 0; k < 3; k++) s.note(7, 100, k);
    expect(s.changes).toBe(0);
    s.note(7, 200, 10);
    s.note(7, 200, 11);
    expect([s.changes, s.changedAtMs]).toEqual([1, 10]);
    s.note(8, 100, 12);
    s.note(7, 200, 13);
    expect(s.changes).toBe(1);
    s.note(7, 100, 14);
    expect([s.changes, s.rate(7, 0), s.rate(8, 0), s.lastSeen]).toEqual([2, 100, 100, 100]);
    s.note(EXPORTER_WIDE, 64, 15);
    s.note(EXPORTER_WIDE, 64, 16);
    s.note(EXPORTER_WIDE, 128, 17);
    expect([s.changes, s.rate(EXPORTER_WIDE, 0), s.lastSeen]).toEqual([3, 128, 128]);
  });

  it('an absurd or zero rate counts every time it is repeated', () => {
    const s = new SamplingState();
    s.note(7, 0);
    s.note(7, 0);
    s.note(7, ABSURD_RATE * 2);
    s.note(7, ABSURD_RATE * 2);
    s.note(7, ABSURD_RATE);
    s.note(7, ABSURD_RATE);
    expect(s.absurd).toBe(4);
    expect(s.rate(7, 0)).toBe(ABSURD_RATE);
  });

  it('a sampler beyond the tracked bound stays untracked, its rate still the latest', () => {
    const s = new SamplingState();
    for (let k = 0; k < PER_EXPORTER.sources; k++) s.note(k, 10);
    s.note(9999, 50);
    s.note(9999, 50);
    s.note(9999, 60);
    expect(s.bySampler.has(9999)).toBe(false);
    expect([s.changes, s.rate(9999, 0)]).toEqual([0, 60]);
  });
});

describe('ExporterState.noteSflowDrops repeats', () => {
  it('sums the growth of each source counter once', () => {
    const e = new ExporterState(0, '127.0.102.9');
    e.noteSflowDrops(1, 5);
    e.noteSflowDrops(1, 5);
    e.noteSflowDrops(2, 3);
    e.noteSflowDrops(1, 5);
    e.noteSflowDrops(1, 9);
    e.noteSflowDrops(1, 9);
    expect(e.sflowDrops).toBe(5 + 3 + 4);
  });

  it('a source beyond the tracked bound counts its drops each time (nothing to compare with)', () => {
    const e = new ExporterState(0, '127.0.102.9');
    for (let k = 0; k < PER_EXPORTER.sources; k++) e.noteSflowDrops(k, 0);
    e.noteSflowDrops(9999, 3);
    e.noteSflowDrops(9999, 3);
    expect(e.sflowDrops).toBe(6);
  });
});
