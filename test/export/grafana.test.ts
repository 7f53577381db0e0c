// The shipped Grafana dashboard names only metrics that exist in the registry (histograms by their
// _bucket/_sum/_count series), and every panel has a query.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FloodgateMetrics } from '../../src/export/metrics.js';
import { dashboardExprs, metricNames } from './dashboard.js';

describe('docs/grafana/floodgate.json', () => {
  const registry = new FloodgateMetrics({ topTalkers: 10, processMetrics: true }).registry;
  const known = new Set<string>();
  for (const m of registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string };
    known.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(name + s);
  }

  it('every query names registered metrics only', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(30);
    const missing: string[] = [];
    let checked = 0;
    for (const { panel, expr } of exprs) {
      const names = metricNames(expr);
      expect(names.length, `panel "${panel}" query names no metric: ${expr}`).toBeGreaterThan(0);
      for (const n of names) {
        checked++;
        if (!known.has(n)) missing.push(`${panel}: ${n}`);
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(exprs.length);
  });

  it('the check itself catches a misspelt metric', () => {
    expect(metricNames('rate(floodgate_flow_datagram_total[1m])').every((n) => known.has(n))).toBe(false);
    expect(
      metricNames('sum by (exporter) (floodgate_flow_exporter_datagrams_total{exporter="floodgate_x"})'),
    ).toEqual(['floodgate_flow_exporter_datagrams_total']);
  });

  it('docs/metrics.md documents every floodgate_* metric', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/metrics.md'), 'utf8');
    const undocumented = [...known].filter(
      (n) => n.startsWith('floodgate_') && !/_(bucket|sum|count)$/.test(n) && !doc.includes('`' + n + '`'),
    );
    expect(undocumented).toEqual([]);
  });
});
