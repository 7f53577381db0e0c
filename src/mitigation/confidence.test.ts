import { describe, expect, it } from 'vitest';
import { parseMitigationConfig } from './config.js';
import { confidence, corroborationTerm, severityTerm } from './confidence.js';

const cfg = parseMitigationConfig({}).confidence;

describe('confidence', () => {
  it('normalises severity on a log scale reaching 1 at 10x the threshold', () => {
    expect(severityTerm(1, 10)).toBe(0);
    expect(severityTerm(0.5, 10)).toBe(0);
    expect(severityTerm(10, 10)).toBeCloseTo(1, 12);
    expect(severityTerm(100, 10)).toBe(1);
    expect(severityTerm(Math.sqrt(10), 10)).toBeCloseTo(0.5, 12);
  });

  it('normalises corroboration linearly to 1 at two nodes', () => {
    expect([0, 1, 2, 3].map((n) => corroborationTerm(n, 2))).toEqual([0, 0.5, 1, 1]);
  });

  it('a single router seeing a flood 10x its threshold clears 0.65, known family or not', () => {
    expect(confidence(10, 1, 'udp_flood', cfg).score).toBe(0.85);
    expect(confidence(10, 1, 'unknown', cfg).score).toBeGreaterThanOrEqual(0.65);
  });

  it('a single router at 3x its threshold stays below; two routers at 3x clear it', () => {
    expect(confidence(3, 1, 'udp_flood', cfg).score).toBeLessThan(0.65);
    expect(confidence(3, 2, 'udp_flood', cfg).score).toBeGreaterThanOrEqual(0.65);
  });

  it('weights are applied as configured and the score stays in [0, 1]', () => {
    const c = confidence(1000, 50, 'dns_amplification', cfg);
    expect(c.score).toBe(1);
    expect(confidence(0, 0, 'unknown', cfg).score).toBe(0);
  });
});
