// Reads docs/grafana/floodgate.json: every PromQL expression and the metric names they use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

export function dashboardExprs(): { panel: string; expr: string }[] {
  const d = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../docs/grafana/floodgate.json'), 'utf8'),
  ) as {
    panels: Panel[];
  };
  const out: { panel: string; expr: string }[] = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? '?', expr: t.expr });
      if (p.panels) walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

/** Grafana's variables replaced by what Prometheus itself understands. */
export function promql(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval/g, '1m');
}

/** Metric names in an expression: identifiers of our families, not label names or functions. */
export function metricNames(expr: string): string[] {
  const noStrings = expr.replace(/"[^"]*"/g, '""');
  return [...noStrings.matchAll(/\b((?:floodgate|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}
