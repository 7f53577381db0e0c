// Flow exporters: format, volume, last seen, sequence gaps and losses, sampling, errors.
import { html } from 'htm/preact';
import { get } from '../api.js';
import { ago, time } from '../format.js';
import { exporterEvents } from '../live.js';
import { Badge, Problem, useApi } from '../ui.js';

/** No datagram for this long reads as a silence (exporters send at least every few seconds). */
const SILENT_MS = 60_000;

interface Exporter {
  address: string;
  lastFormat: string | null;
  datagrams: number;
  records: number;
  errors: Record<string, number>;
  sequenceGaps: number;
  lostDatagrams: number;
  lostRecords: number;
  sequenceResets: number;
  samplingRate: number;
  lastSeenMs: number;
}

export function Exporters() {
  const r = useApi(
    () =>
      get<{ exporters: { datagrams: number; rejected: number; exporters: Exporter[] } }>('/api/v1/exporters'),
    [],
    2000,
  );
  const s = r.data?.exporters;
  return html`<div>
    <h2>Flow exporters</h2>
    <${Problem} error=${r.error} />
    ${s ? html`<p>${s.datagrams} datagrams received, ${s.rejected} rejected (not an allowed exporter).</p>` : null}
    ${s && s.exporters.length === 0 ? html`<p class="empty">No exporter has sent anything yet.</p>` : null}
    ${
      s && s.exporters.length
        ? html`<table class="exporters">
            <thead>
              <tr>
                <th>exporter</th>
                <th>format</th>
                <th>datagrams</th>
                <th>records</th>
                <th>last seen</th>
                <th>sequence gaps</th>
                <th>lost</th>
                <th>sampling</th>
                <th>errors</th>
              </tr>
            </thead>
            <tbody>
              ${s.exporters.map((e) => {
                const errors = Object.entries(e.errors).filter(([, n]) => n > 0);
                return html`<tr data-exporter=${e.address}>
                  <td>${e.address}</td>
                  <td>${e.lastFormat ?? '–'}</td>
                  <td>${e.datagrams}</td>
                  <td>${e.records}</td>
                  <td title=${new Date(e.lastSeenMs).toISOString()}>
                    ${ago(e.lastSeenMs)}
                    ${Date.now() - e.lastSeenMs > SILENT_MS ? html` <${Badge} kind="warn">silent<//>` : null}
                  </td>
                  <td class=${e.sequenceGaps ? 'warn' : ''}>
                    ${e.sequenceGaps}${e.sequenceResets ? ` (${e.sequenceResets} resets)` : ''}
                  </td>
                  <td>${e.lostDatagrams} datagrams, ${e.lostRecords} records</td>
                  <td>1:${e.samplingRate || 1}</td>
                  <td>${errors.length ? errors.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : null
    }
    <h3>Silences</h3>
    ${
      exporterEvents.value.length
        ? html`<table class="silences">
            <thead>
              <tr>
                <th>time</th>
                <th>exporter</th>
                <th>event</th>
              </tr>
            </thead>
            <tbody>
              ${exporterEvents.value.map(
                (e) =>
                  html`<tr>
                    <td>${time(e.at)}</td>
                    <td>${e.exporter}</td>
                    <td>
                      ${
                        e.state === 'silent'
                          ? `stopped sending${e.silentForMs ? ` (silent ${Math.round(e.silentForMs / 1000)} s)` : ''}`
                          : 'sending again'
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="empty">No exporter went silent since this page opened.</p>`
    }
  </div>`;
}
