// A uPlot time-series chart as a preact component: bit/s (left axis) and packets/s (right axis),
// with the learned baseline dashed when the detector has one.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { bps, pps } from './format.js';
import type { Series } from './live.js';

export function RateChart({ series, height = 180 }: { series: Series | undefined; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth || 560),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, bps: { auto: true }, pps: { auto: true } },
      axes: [
        {
          space: 70,
          incrs: [1, 5, 10, 15, 30, 60, 300, 600, 1800, 3600],
          values: (_u, v) => v.map((t) => new Date(t * 1000).toISOString().slice(11, 19)),
        },
        { scale: 'bps', values: (_u, v) => v.map((x) => bps(x)), size: 80 },
        { scale: 'pps', side: 1, values: (_u, v) => v.map((x) => pps(x)), size: 80, grid: { show: false } },
      ],
      series: [
        {},
        { label: 'bit/s', scale: 'bps', stroke: '#c0392b', width: 2, value: (_u, v) => bps(v ?? undefined) },
        {
          label: 'pkt/s',
          scale: 'pps',
          stroke: '#2c6fbb',
          width: 1.5,
          value: (_u, v) => pps(v ?? undefined),
        },
        {
          label: 'baseline bit/s',
          scale: 'bps',
          stroke: '#7f8c8d',
          dash: [6, 4],
          width: 1.5,
          value: (_u, v) => bps(v ?? undefined),
        },
      ],
    };
    plot.current = new uPlot(opts, [[], [], [], []], el);
    return () => {
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [height]);

  useEffect(() => {
    if (!plot.current) return;
    const s = series ?? { t: [], bps: [], pps: [], baselineBps: [], baselinePps: [] };
    plot.current.setData([s.t, s.bps, s.pps, s.baselineBps] as uPlot.AlignedData);
  }, [series]);

  return html`<div class="chart" ref=${box} data-points=${series?.t.length ?? 0}></div>`;
}
