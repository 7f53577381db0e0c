// One host's (or prefix's) traffic against its learned baseline, sampled every second.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, get } from '../api.js';
import { RateChart } from '../chart.js';
import { bps, pps } from '../format.js';
import type { Series } from '../live.js';
import type { TrafficSample } from '../types.js';

const empty = (): Series => ({ t: [], pps: [], bps: [], baselinePps: [], baselineBps: [] });

export function Traffic({ initial }: { initial: string }) {
  const [input, setInput] = useState(initial);
  const [target, setTarget] = useState(initial);
  const [series, setSeries] = useState<Series>(empty());
  const [last, setLast] = useState<TrafficSample | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  useEffect(() => {
    setSeries(empty());
    setLast(undefined);
    if (!target) return;
    let live = true;
    const poll = async () => {
      try {
        const { sample } = await get<{ sample: TrafficSample }>(
          `/api/v1/traffic?target=${encodeURIComponent(target)}`,
        );
        if (!live) return;
        setNote(undefined);
        setLast(sample);
        const t = Math.round(Date.now() / 1000);
        setSeries((s) => {
          if (s.t[s.t.length - 1] === t) return s;
          const cut = s.t.length >= 600 ? 1 : 0;
          return {
            t: [...s.t.slice(cut), t],
            pps: [...s.pps.slice(cut), sample.pps],
            bps: [...s.bps.slice(cut), sample.bps],
            baselinePps: [...s.baselinePps.slice(cut), sample.baselinePps ?? null],
            baselineBps: [...s.baselineBps.slice(cut), sample.baselineBps ?? null],
          };
        });
      } catch (err) {
        if (live) setNote(err instanceof ApiFailure ? err.message : String(err));
      }
    };
    void poll();
    const timer = setInterval(poll, 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [target]);
  return html`<div>
    <h2>Traffic vs baseline</h2>
    <form
      class="filters"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        setTarget(input.trim());
        location.hash = `#/traffic/${encodeURIComponent(input.trim())}`;
      }}
    >
      <label
        >Host or prefix
        <input
          name="target"
          value=${input}
          placeholder="203.0.113.10/32"
          onInput=${(e: Event) => setInput((e.target as HTMLInputElement).value)}
      /></label>
      <button type="submit">Show</button>
    </form>
    ${note ? html`<p class="muted">${note}</p>` : null}
    ${
      last
        ? html`<p>
            ${last.target} (${last.level}, ${last.mode} baseline): ${bps(last.bps)} · ${pps(last.pps)}; normal
            ${bps(last.baselineBps)} · ${pps(last.baselinePps)}
          </p>`
        : null
    }
    ${target ? html`<div data-points=${series.t.length}><${RateChart} series=${series} /></div>` : null}
  </div>`;
}
