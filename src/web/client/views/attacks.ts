// Live attacks: every attack seen on the stream (open first) with its per-second rate chart.
import { html } from 'htm/preact';
import { RateChart } from '../chart.js';
import { bps, pct, pps, time } from '../format.js';
import { attacks, connected, rates } from '../live.js';
import type { AttackRecord } from '../types.js';
import { Badge } from '../ui.js';

function AttackCard({ a }: { a: AttackRecord }) {
  const e = a.lastEvent;
  const open = a.endedAt === undefined;
  return html`<article class=${`attack ${open ? 'open' : 'ended'}`} data-target=${a.target}>
    <header>
      <a href=${`#/attack/${encodeURIComponent(a.attackId)}`}><strong>${a.target}</strong></a>
      <${Badge} kind=${open ? 'bad' : 'ok'}>${open ? 'ongoing' : 'ended'}<//>
      <span class="family">${a.family.replace(/_/g, ' ')}</span>
      <span class="muted">${a.direction} · since ${time(a.startedAt)}</span>
    </header>
    <dl class="figures">
      <dt>now</dt>
      <dd>${bps(e.bps)} · ${pps(e.pps)}</dd>
      <dt>peak</dt>
      <dd>${bps(e.peakBps)} · ${pps(e.peakPps)}</dd>
      <dt>severity</dt>
      <dd>×${e.severity.toFixed(1)}</dd>
      <dt>signature</dt>
      <dd>${pct(e.signature.coverage)} covered</dd>
    </dl>
    <${RateChart} series=${rates.value.get(a.target)} height=${150} />
  </article>`;
}

export function Attacks() {
  const list = [...attacks.value.values()].sort(
    (x, y) => Number(x.endedAt !== undefined) - Number(y.endedAt !== undefined) || y.startedAt - x.startedAt,
  );
  return html`<div>
    <h2>Live attacks</h2>
    <p class="muted">
      ${connected.value ? 'Live: rates every second from the detector.' : 'Connecting to the event stream…'}
    </p>
    ${
      list.length === 0
        ? html`<p class="empty">No attack since this page opened. Detected attacks appear here live.</p>`
        : list.map((a) => html`<${AttackCard} key=${a.attackId} a=${a} />`)
    }
  </div>`;
}
