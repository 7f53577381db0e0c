import { describe, expect, it } from 'vitest';
import { IdSource } from './ids.js';

describe('IdSource', () => {
  it('gives distinct ids under one clock reading (a storm handled within a millisecond)', () => {
    const ids = new IdSource(() => 1_800_000_060_000);
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(ids.next('inc'));
    expect(seen.size).toBe(100_000);
  });

  it('keeps the prefix and the time readable', () => {
    const id = new IdSource(() => 1_800_000_060_000).next('mw');
    expect(id.startsWith(`mw-${(1_800_000_060_000).toString(36)}-`)).toBe(true);
  });

  it('two sources at the same instant do not collide', () => {
    const a = new IdSource(() => 5);
    const b = new IdSource(() => 5);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      seen.add(a.next('inc'));
      seen.add(b.next('inc'));
    }
    expect(seen.size).toBe(2000);
  });
});
