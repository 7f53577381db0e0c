import { describe, expect, it } from 'vitest';
import {
  COMPONENT_ORDER,
  componentByCode,
  componentByKeyword,
  keywordFor,
  maxWidth,
  minimalWidth,
} from './components.js';

describe('component table', () => {
  it('declares types 1..13 once each, in order; 13 is IPv6 only', () => {
    expect(COMPONENT_ORDER.map((c) => c.code)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(new Set(COMPONENT_ORDER.map((c) => c.keyword)).size).toBe(13);
    expect(componentByCode(13, 4)).toBeUndefined();
    expect(componentByCode(13, 6)?.key).toBe('flowLabel');
    expect(componentByCode(0, 4)).toBeUndefined();
    expect(componentByCode(14, 6)).toBeUndefined();
  });

  it('every value range fits the widest wire width the RFC allows', () => {
    for (const c of COMPONENT_ORDER) {
      if (c.kind === 'prefix') continue;
      for (const f of c.families) expect(minimalWidth(c.max[f])).toBeLessThanOrEqual(maxWidth(c));
    }
  });

  it('minimal widths sit on the octet boundaries', () => {
    expect([0, 255, 256, 65535, 65536, 0xffffffff, 0x100000000].map(minimalWidth)).toEqual([
      1, 1, 2, 2, 4, 4, 8,
    ]);
  });

  it('keywords per family', () => {
    expect(componentByKeyword('next-header', 6)?.code).toBe(3);
    expect(componentByKeyword('proto', 6)?.code).toBe(3);
    expect(componentByKeyword('next-header', 4)).toBeUndefined();
    expect(keywordFor(componentByKeyword('proto', 4)!, 6)).toBe('next-header');
  });
});
