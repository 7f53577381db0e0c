// The Manual Rule tab: target, intent, protocol, ports, rate, TTL, level — or a FlowSpec match —
// posted to POST /api/v1/rules, where every guard applies exactly as for automatic rules.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { INTENTS } from '../../../domain/rule.js';
import { type ManualRuleForm, manualRuleRequest } from '../../manual-request.js';
import { ApiFailure, post } from '../api.js';
import type { Rule } from '../types.js';

const EMPTY: ManualRuleForm = {
  target: '',
  intent: 'drop',
  protocol: '',
  port: '',
  sourcePort: '',
  rateMbps: '',
  ttlSeconds: '300',
  level: '',
  reason: '',
  flowspec: '',
  dryRun: false,
};

export function ManualRule() {
  const [form, setForm] = useState<ManualRuleForm>(EMPTY);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const field = (name: keyof ManualRuleForm, label: string, placeholder = '', type = 'text') =>
    html`<label
      >${label}
      <input
        name=${name}
        type=${type}
        placeholder=${placeholder}
        value=${String(form[name] ?? '')}
        onInput=${(e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })}
    /></label>`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = manualRuleRequest(form);
    if (!r.ok) return setResult({ ok: false, text: `${r.field}: ${r.error}` });
    try {
      const out = await post<{ rule: Rule; queued: boolean }>('/api/v1/rules', r.body);
      setResult({
        ok: true,
        text: `${out.queued ? 'Queued' : 'Added'} rule ${out.rule.id}: ${out.rule.intent} ${out.rule.target}${out.rule.dryRun ? ' (dry-run)' : ''}`,
      });
    } catch (err) {
      setResult({
        ok: false,
        text: err instanceof ApiFailure ? `Refused (${err.code}): ${err.message}` : String(err),
      });
    }
  };
  return html`<div>
    <h2>Manual rule</h2>
    <form class="manual" onSubmit=${submit}>
      <fieldset>
        ${field('target', 'Target', '203.0.113.10/32')}
        <label
          >Intent
          <select
            name="intent"
            value=${form.intent}
            onChange=${(e: Event) => setForm({ ...form, intent: (e.target as HTMLSelectElement).value })}
          >
            ${INTENTS.map((i) => html`<option value=${i}>${i}</option>`)}
          </select></label
        >
        ${field('protocol', 'Protocol', 'udp, tcp, 17')} ${field('port', 'Destination port', '53, 123')}
        ${field('sourcePort', 'Source port', '')} ${field('rateMbps', 'Rate (Mbit/s, rate-limit)', '100')}
        ${field('ttlSeconds', 'TTL (s)', '300')} ${field('level', 'Level (0–4)', '')}
      </fieldset>
      <label class="wide"
        >…or a FlowSpec match (instead of the fields above)
        <input
          name="flowspec"
          placeholder="flow4 dst 203.0.113.10/32 proto =17 dport =53|=123"
          value=${form.flowspec}
          onInput=${(e: Event) => setForm({ ...form, flowspec: (e.target as HTMLInputElement).value })}
      /></label>
      ${field('reason', 'Reason', 'ticket, who asked')}
      <label class="check"
        ><input
          type="checkbox"
          name="dryRun"
          checked=${form.dryRun}
          onChange=${(e: Event) => setForm({ ...form, dryRun: (e.target as HTMLInputElement).checked })}
        />
        Dry run (decide and audit, send nothing)</label
      >
      <button type="submit">Add rule</button>
    </form>
    ${
      result
        ? html`<p class=${result.ok ? 'success' : 'error'} role=${result.ok ? 'status' : 'alert'}>
            ${result.text}
          </p>`
        : null
    }
  </div>`;
}
