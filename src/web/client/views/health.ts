// Adapters and BGP sessions with their health, refreshed on health events and every 5 s.
import { html } from 'htm/preact';
import { ApiFailure, api, get } from '../api.js';
import { ago } from '../format.js';
import { healthTick } from '../live.js';
import { Badge, Json, Problem, useApi } from '../ui.js';

interface Health {
  status: string;
  version: string;
  uptimeSeconds: number;
  checks: {
    adapters?: Record<
      string,
      { status: string; detail: string; sessions?: Record<string, string>; checkedAt: number }
    >;
    bgp?: Record<string, string>;
    mitigation?: Record<string, unknown>;
    [k: string]: unknown;
  };
}

interface Peer {
  name: string;
  address: string;
  remoteAs: number;
  state: string;
  stateSince: string;
  uptimeSeconds: number | null;
  negotiatedFamilies: string[];
  [k: string]: unknown;
}

const kind = (s: string) =>
  s === 'up' || s === 'Established' ? 'ok' : s === 'down' || s === 'Idle' ? 'bad' : 'warn';

export function HealthView() {
  // /healthz answers 503 with the same body when degraded
  const h = useApi(
    () =>
      api<Health>('/healthz').catch(async (e: unknown) => {
        if (e instanceof ApiFailure && e.status === 503)
          return (await fetch('/healthz')).json() as Promise<Health>;
        throw e;
      }),
    [healthTick.value],
    5000,
  );
  const peers = useApi(
    () =>
      get<{ peers: Peer[] }>('/api/v1/bgp/peers').then(
        (r) => r.peers,
        (e: unknown) => {
          if (e instanceof ApiFailure && e.status === 503) return undefined;
          throw e;
        },
      ),
    [healthTick.value],
    5000,
  );
  const adapters = Object.entries(h.data?.checks.adapters ?? {});
  return html`<div>
    <h2>Adapters and BGP sessions</h2>
    <${Problem} error=${h.error ?? peers.error} />
    ${
      h.data
        ? html`<p>
            floodgate ${h.data.version}:
            <${Badge} kind=${h.data.status === 'ok' ? 'ok' : 'bad'}>${h.data.status}<//>, up
            ${Math.round(h.data.uptimeSeconds / 60)} min
          </p>`
        : null
    }
    <h3>Adapters</h3>
    ${
      adapters.length
        ? html`<table class="adapters">
            <thead>
              <tr>
                <th>adapter</th>
                <th>health</th>
                <th>detail</th>
                <th>sessions</th>
                <th>checked</th>
              </tr>
            </thead>
            <tbody>
              ${adapters.map(
                ([name, a]) =>
                  html`<tr data-adapter=${name}>
                    <td>${name}</td>
                    <td><${Badge} kind=${kind(a.status)}>${a.status}<//></td>
                    <td>${a.detail}</td>
                    <td>
                      ${Object.entries(a.sessions ?? {}).map(([p, s]) => html`<span class="session">${p}: ${s}</span> `)}
                    </td>
                    <td>${ago(a.checkedAt)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="empty">No adapter configured: rules are decided and audited only.</p>`
    }
    <h3>Native BGP sessions</h3>
    ${
      peers.data === undefined
        ? html`<p class="empty">The native BGP speaker is not configured.</p>`
        : html`<table class="peers">
            <thead>
              <tr>
                <th>peer</th>
                <th>address</th>
                <th>AS</th>
                <th>state</th>
                <th>since</th>
                <th>families</th>
              </tr>
            </thead>
            <tbody>
              ${peers.data.map(
                (p) =>
                  html`<tr>
                    <td>${p.name}</td>
                    <td>${p.address}</td>
                    <td>${p.remoteAs}</td>
                    <td><${Badge} kind=${kind(p.state)}>${p.state}<//></td>
                    <td>${p.stateSince}</td>
                    <td>${p.negotiatedFamilies.join(', ')}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <details>
      <summary>All health checks (JSON)</summary>
      <${Json} value=${h.data?.checks} />
    </details>
  </div>`;
}
