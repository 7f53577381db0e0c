// The audit log with filters (action, target, rule, time); follows the stream while "live" is on.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { time } from '../format.js';
import { auditTick } from '../live.js';
import { AUDIT_ACTIONS } from '../../../domain/audit.js';
import type { AuditRecord } from '../types.js';
import { Json, Problem, useApi } from '../ui.js';

interface Filters {
  action: string;
  target: string;
  ruleId: string;
  since: string;
  limit: string;
}

export function Audit() {
  const [f, setF] = useState<Filters>({ action: '', target: '', ruleId: '', since: '', limit: '200' });
  const [live, setLive] = useState(true);
  const [open, setOpen] = useState<number | undefined>(undefined);
  const query = () => {
    const q = new URLSearchParams();
    if (f.action) q.set('action', f.action);
    if (f.target.trim()) q.set('target', f.target.trim());
    if (f.ruleId.trim()) q.set('ruleId', f.ruleId.trim());
    if (f.since) q.set('since', String(new Date(f.since).getTime()));
    q.set('limit', f.limit || '200');
    return q.toString();
  };
  const records = useApi(
    async () => (await get<{ records: AuditRecord[] }>(`/api/v1/audit?${query()}`)).records,
    [f, live ? auditTick.value : 0],
  );
  const set = (k: keyof Filters) => (e: Event) =>
    setF({ ...f, [k]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  const rows = [...(records.data ?? [])].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
  return html`<div>
    <h2>Audit log</h2>
    <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label
        >Action
        <select name="action" value=${f.action} onChange=${set('action')}>
          <option value="">any</option>
          ${AUDIT_ACTIONS.map((a) => html`<option value=${a}>${a}</option>`)}
        </select></label
      >
      <label>Target <input name="target" value=${f.target} onChange=${set('target')} /></label>
      <label>Rule id <input name="ruleId" value=${f.ruleId} onChange=${set('ruleId')} /></label>
      <label
        >Since <input name="since" type="datetime-local" value=${f.since} onChange=${set('since')}
      /></label>
      <label
        >Limit
        <input name="limit" type="number" min="1" max="10000" value=${f.limit} onChange=${set('limit')}
      /></label>
      <label class="check"
        ><input
          type="checkbox"
          checked=${live}
          onChange=${(e: Event) => setLive((e.target as HTMLInputElement).checked)}
        />
        live</label
      >
    </form>
    <${Problem} error=${records.error} />
    <table class="audit">
      <thead>
        <tr>
          <th>#</th>
          <th>time</th>
          <th>actor</th>
          <th>action</th>
          <th>target</th>
          <th>rule</th>
          <th>adapter</th>
          <th>reason</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr
                data-action=${r.action}
                data-rule=${r.ruleId ?? ''}
                onClick=${() => setOpen(open === r.id ? undefined : r.id)}
              >
                <td>${r.id}</td>
                <td>${time(r.at)}</td>
                <td>${r.actor}</td>
                <td><span class=${`action ${r.action}`}>${r.action}</span>${r.dryRun ? ' (dry-run)' : ''}</td>
                <td>${r.target ?? ''}</td>
                <td><code>${r.ruleId ?? ''}</code></td>
                <td>${r.adapter ?? ''}</td>
                <td class="reason">${r.reason}</td>
              </tr>
              ${
                open === r.id
                  ? html`<tr class="payload">
                      <td colspan="8"><${Json} value=${r.payload ?? null} /></td>
                    </tr>`
                  : null
              }`,
        )}
      </tbody>
    </table>
    ${rows.length === 0 && !records.error ? html`<p class="empty">No record matches.</p>` : null}
  </div>`;
}
