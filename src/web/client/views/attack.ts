// Attack detail: signature, family, coverage, timeline, the rules made for it, its audit trail.
import { html } from 'htm/preact';
import { get } from '../api.js';
import { RateChart } from '../chart.js';
import { bps, pct, pps, time } from '../format.js';
import { attacks, auditTick, rates } from '../live.js';
import type { AttackRecord, AuditRecord, Rule, Signature } from '../types.js';
import { Problem, useApi } from '../ui.js';
import { RuleTable } from './rules.js';

function SignatureList({ s }: { s: Signature }) {
  const rows: [string, string][] = [];
  if (s.protocols) rows.push(['protocols', s.protocols.join(', ')]);
  if (s.destinationPorts) rows.push(['destination ports', s.destinationPorts.join(', ')]);
  if (s.sourcePorts) rows.push(['source ports', s.sourcePorts.join(', ')]);
  if (s.packetLength) rows.push(['packet length', `${s.packetLength.min}–${s.packetLength.max} bytes`]);
  if (s.tcpFlags !== undefined) rows.push(['TCP flags', `0x${s.tcpFlags.toString(16)}`]);
  if (s.fragment !== undefined) rows.push(['fragments', s.fragment ? 'yes' : 'no']);
  if (s.sourcePrefixes) rows.push(['source prefixes', s.sourcePrefixes.join(', ')]);
  rows.push(['coverage', pct(s.coverage)]);
  return html`<dl class="kv">
    ${rows.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v}</dd>`,
    )}
  </dl>`;
}

export function AttackDetail({ id }: { id: string }) {
  const live = attacks.value.get(id);
  const stored = useApi(
    async () => {
      const { attacks: list } = await get<{ attacks: AttackRecord[] }>(
        `/api/v1/attacks?limit=1000${live ? `&target=${encodeURIComponent(live.target)}` : ''}`,
      );
      return list.find((a) => a.attackId === id);
    },
    [id],
    5000,
  );
  const a = live ?? stored.data;
  const target = a?.target;
  const rules = useApi(
    async () =>
      target
        ? (await get<{ rules: Rule[] }>(`/api/v1/rules?target=${encodeURIComponent(target)}`)).rules.filter(
            (r) => r.attackId === id || r.origin === 'manual',
          )
        : [],
    [target, auditTick.value],
  );
  const audit = useApi(
    async () =>
      target
        ? (
            await get<{ records: AuditRecord[] }>(
              `/api/v1/audit?target=${encodeURIComponent(target)}&since=${(a?.startedAt ?? 0) - 60_000}`,
            )
          ).records
        : [],
    [target, auditTick.value],
  );
  if (!a)
    return html`<div>
      <${Problem} error=${stored.error} />
      <p>Loading attack ${id}…</p>
    </div>`;
  const e = a.lastEvent;
  const timeline = [
    { at: a.startedAt, what: `attack started (${e.family.replace(/_/g, ' ')})` },
    ...(audit.data ?? []).map((r) => ({ at: r.at, what: `${r.action} by ${r.actor}: ${r.reason}` })),
    ...(a.endedAt ? [{ at: a.endedAt, what: 'attack ended' }] : []),
  ].sort((x, y) => x.at - y.at);
  return html`<div class="detail">
    <h2>Attack on ${a.target}</h2>
    <dl class="kv">
      <dt>id</dt>
      <dd><code>${a.attackId}</code></dd>
      <dt>family</dt>
      <dd class="family">${a.family.replace(/_/g, ' ')}</dd>
      <dt>direction</dt>
      <dd>${a.direction}</dd>
      <dt>host group</dt>
      <dd>${e.hostGroup}</dd>
      <dt>reason</dt>
      <dd>${e.reason}</dd>
      <dt>rate</dt>
      <dd>${bps(e.bps)} · ${pps(e.pps)} (peak ${bps(e.peakBps)} · ${pps(e.peakPps)})</dd>
      <dt>severity</dt>
      <dd>×${e.severity.toFixed(2)}</dd>
      <dt>node</dt>
      <dd>${e.node}</dd>
      <dt>started</dt>
      <dd>${time(a.startedAt)}</dd>
      <dt>ended</dt>
      <dd>${a.endedAt ? time(a.endedAt) : 'ongoing'}</dd>
    </dl>
    <h3>Signature</h3>
    <${SignatureList} s=${e.signature} />
    <h3>Rate</h3>
    <${RateChart} series=${rates.value.get(a.target)} />
    <h3>Timeline</h3>
    <ol class="timeline">
      ${timeline.map((t) => html`<li><time>${time(t.at)}</time> ${t.what}</li>`)}
    </ol>
    <h3>Rules</h3>
    <${Problem} error=${rules.error} />
    <${RuleTable} rules=${rules.data ?? []} onChange=${rules.reload} />
  </div>`;
}
