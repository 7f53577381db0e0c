import { describe, expect, it } from 'vitest';
import { BITS, BPS, COMPACT, DASHBOARD_BITS, PACKETS, formatRate } from './rate.js';

describe('formatRate', () => {
  it.each([
    [BPS, 0, '0 bps'],
    [BPS, 999, '999 bps'],
    [BPS, 1500, '1.5 kbps'],
    [BPS, 512e6, '512.0 Mbps'],
    [BPS, 1.234e9, '1.23 Gbps'],
    [BPS, 3e12, '3000.00 Gbps'],
    [BITS, -5, '0 bit/s'],
    [BITS, 1.25e9, '1.3 Gbit/s'],
    [BITS, 2e12, '2.0 Tbit/s'],
    [PACKETS, 1.5e6, '1.5 Mpps'],
    [PACKETS, 42.4, '42 pps'],
    [DASHBOARD_BITS, 12.5e6, '12.50 Mbit/s'],
    [DASHBOARD_BITS, -2e3, '-2.0 kbit/s'],
    [COMPACT, 1.234e9, '1.23G'],
    [COMPACT, 7, '7'],
  ])('%o %d → %s', (style, n, text) => {
    expect(formatRate(n, style)).toBe(text);
  });
});
