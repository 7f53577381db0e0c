// Policies and whitelists as the daemon runs them (read only; secrets redacted by the server).
import { html } from 'htm/preact';
import { get } from '../api.js';
import { bps } from '../format.js';
import { Json, Problem, useApi } from '../ui.js';

interface PolicyView {
  dryRun: boolean;
  mitigation: {
    tenants?: Record<string, { networks?: string[] }>;
    guards?: {
      maxPrefixLength?: { v4: number; v6: number };
      allowSpecialPurpose?: string[];
      softWhitelist?: { cidr: string; rateBitsPerSecond: number }[];
      rpki?: string;
    };
    policies?: Record<
      string,
      { levels?: { intent: string; bps?: number; pps?: number }[]; dryRun?: boolean }
    >;
    limits?: Record<string, number>;
    [k: string]: unknown;
  };
  detection: { networks?: string[]; [k: string]: unknown };
}

export function Policy() {
  const p = useApi(() => get<PolicyView>('/api/v1/policy'), []);
  const d = p.data;
  if (!d)
    return html`<div>
      <h2>Policies and whitelists</h2>
      <${Problem} error=${p.error} />
    </div>`;
  const m = d.mitigation;
  const g = m.guards ?? {};
  return html`<div class="policy">
    <h2>Policies and whitelists</h2>
    <p>Mitigation mode: <strong>${d.dryRun ? 'dry-run (nothing is sent)' : 'live'}</strong></p>
    <h3>Tenants and networks</h3>
    <table>
      <thead>
        <tr>
          <th>tenant</th>
          <th>networks</th>
        </tr>
      </thead>
      <tbody>
        ${Object.entries(m.tenants ?? {}).map(
          ([name, t]) =>
            html`<tr>
              <td>${name}</td>
              <td>${(t.networks ?? []).join(', ')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h3>Escalation policies</h3>
    ${Object.entries(m.policies ?? {}).map(
      ([name, pol]) =>
        html`<table class="levels">
          <caption>
            ${name}${pol.dryRun ? ' (dry-run)' : ''}
          </caption>
          <thead>
            <tr>
              <th>level</th>
              <th>intent</th>
              <th>above</th>
            </tr>
          </thead>
          <tbody>
            ${(pol.levels ?? []).map(
              (l, i) =>
                html`<tr>
                  <td>${i + 1}</td>
                  <td>${l.intent}</td>
                  <td>${l.bps !== undefined ? bps(l.bps) : l.pps !== undefined ? `${l.pps} pkt/s` : ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>`,
    )}
    <h3>Guards</h3>
    <dl class="kv">
      <dt>broadest prefix</dt>
      <dd>IPv4 /${g.maxPrefixLength?.v4 ?? '–'}, IPv6 /${g.maxPrefixLength?.v6 ?? '–'}</dd>
      <dt>RPKI</dt>
      <dd>${g.rpki ?? '–'}</dd>
      <dt>special-purpose allowed</dt>
      <dd>${(g.allowSpecialPurpose ?? []).join(', ') || 'none'}</dd>
    </dl>
    <h3>Soft whitelist</h3>
    ${
      (g.softWhitelist ?? []).length
        ? html`<table class="whitelist">
            <thead>
              <tr>
                <th>CIDR</th>
                <th>drop becomes rate-limit at</th>
              </tr>
            </thead>
            <tbody>
              ${(g.softWhitelist ?? []).map(
                (w) =>
                  html`<tr>
                    <td>${w.cidr}</td>
                    <td>${bps(w.rateBitsPerSecond)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="empty">No soft-whitelisted CIDR.</p>`
    }
    <h3>Limits</h3>
    <dl class="kv">
      ${Object.entries(m.limits ?? {}).map(
        ([k, v]) =>
          html`<dt>${k}</dt>
            <dd>${v}</dd>`,
      )}
    </dl>
    <h3>Detection</h3>
    <p>Protected networks: ${(d.detection.networks ?? []).join(', ') || 'none'}</p>
    <details>
      <summary>Full effective policy (JSON)</summary>
      <${Json} value=${d} />
    </details>
  </div>`;
}
