// Active and queued rules, with withdraw for the roles that may.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiFailure, can, del, get, session } from '../api.js';
import { bps, time } from '../format.js';
import { auditTick } from '../live.js';
import type { Rule } from '../types.js';
import { Badge, Problem, useApi } from '../ui.js';

const STATE_LABEL: Record<Rule['state'], string> = {
  pending: 'pending',
  announced: 'active',
  failed: 'failed (retrying)',
  withdrawn: 'withdrawn',
};

function matchText(r: Rule): string {
  const parts: string[] = [];
  const m = r.match;
  const eq = (ts: readonly { value: number }[] | undefined) => ts?.map((t) => t.value).join('|');
  if (m.ipProtocol) parts.push(`proto ${eq(m.ipProtocol)}`);
  if (m.destinationPort) parts.push(`dport ${eq(m.destinationPort)}`);
  if (m.sourcePort) parts.push(`sport ${eq(m.sourcePort)}`);
  return parts.join(' ') || 'all traffic';
}

export function RuleTable({
  rules,
  onChange,
  queued = new Set(),
}: {
  rules: readonly Rule[];
  onChange: () => void;
  /** Ids of rules the engine holds in its deployment queue. */
  queued?: ReadonlySet<string>;
}) {
  const [error, setError] = useState<string | undefined>(undefined);
  const writer = can.writeRules(session.value);
  const withdraw = async (r: Rule) => {
    setError(undefined);
    try {
      await del(`/api/v1/rules/${encodeURIComponent(r.id)}`, { reason: 'withdrawn from the dashboard' });
      onChange();
    } catch (err) {
      setError(err instanceof ApiFailure ? `${err.code}: ${err.message}` : String(err));
    }
  };
  if (rules.length === 0) return html`<p class="empty">No rules.</p>`;
  return html`<div>
    <${Problem} error=${error} />
    <table class="rules">
      <thead>
        <tr>
          <th>target</th>
          <th>intent</th>
          <th>match</th>
          <th>level</th>
          <th>state</th>
          <th>origin</th>
          <th>tenant</th>
          <th>expires</th>
          <th>reason</th>
          ${writer ? html`<th></th>` : null}
        </tr>
      </thead>
      <tbody>
        ${rules.map(
          (r) =>
            html`<tr data-rule=${r.id}>
              <td>${r.target}</td>
              <td>
                ${r.intent}${r.rateBytesPerSecond !== undefined ? ` ${bps(r.rateBytesPerSecond * 8)}` : ''}
              </td>
              <td>${matchText(r)}</td>
              <td>${r.level}</td>
              <td>
                <${Badge} kind=${r.state === 'announced' ? 'bad' : r.state === 'withdrawn' ? 'ok' : 'warn'}
                  >${queued.has(r.id) ? 'queued' : STATE_LABEL[r.state]}<//
                >${r.dryRun ? html` <${Badge} kind="muted">dry-run<//>` : null}
              </td>
              <td>${r.origin}</td>
              <td>${r.tenant}</td>
              <td>${time(r.expiresAt)}</td>
              <td class="reason">${r.reason}</td>
              ${
                writer
                  ? html`<td>
                      ${
                        r.state !== 'withdrawn'
                          ? html`<button class="danger" onClick=${() => withdraw(r)}>Withdraw</button>`
                          : null
                      }
                    </td>`
                  : null
              }
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function Rules() {
  const rules = useApi(
    async () => {
      const [queue, active] = await Promise.all([
        get<{ rules: Rule[] }>('/api/v1/queue'),
        get<{ rules: Rule[] }>('/api/v1/rules?active=true&limit=1000'),
      ]);
      const ids = new Set(queue.rules.map((r) => r.id));
      return { rules: [...queue.rules, ...active.rules.filter((r) => !ids.has(r.id))], queued: ids };
    },
    [auditTick.value],
    5000,
  );
  return html`<div>
    <h2>Active and queued rules</h2>
    <p class="muted">
      Queued rules wait for the deployment rate limit (mitigation.limits); withdrawing one drops it from the
      queue.
    </p>
    <${Problem} error=${rules.error} />
    <${RuleTable} rules=${rules.data?.rules ?? []} queued=${rules.data?.queued} onChange=${rules.reload} />
  </div>`;
}
