// The Manual Rule tab's form → the body of POST /api/v1/rules. Pure, shared by the browser bundle and
// the unit tests. A FlowSpec match text (the one grammar, src/flowspec/text.ts) may replace the target,
// protocol and port fields; the manual-rule API carries destination, protocol, destination port and
// source port as exact values, so a match using anything else is refused rather than shortened
// (STYLE.md rule 4: a shortened FlowSpec matches more traffic, RFC 8955 §4.2).
import { COMPONENTS, type ComponentKey } from '../flowspec/components.js';
import { parseFlowSpec } from '../flowspec/text.js';
import type { NumericTerm } from '../flowspec/types.js';
import type { ManualRuleRequest } from '../mitigation/types.js';
import { INTENTS, type EscalationLevel, type Intent } from '../domain/rule.js';

/** The form as typed: every field a string, empty = not given. */
export interface ManualRuleForm {
  readonly target: string;
  readonly intent: string;
  readonly protocol: string;
  readonly port: string;
  readonly sourcePort: string;
  /** Mbit/s, for rate-limit. */
  readonly rateMbps: string;
  readonly ttlSeconds: string;
  readonly level: string;
  readonly reason: string;
  /** FlowSpec match text ("flow4 dst 203.0.113.5/32 proto =17 dport =53"); replaces the fields above. */
  readonly flowspec: string;
  readonly dryRun?: boolean;
}

export type FormResult =
  | { readonly ok: true; readonly body: ManualRuleRequest }
  | { readonly ok: false; readonly field: keyof ManualRuleForm; readonly error: string };

const PROTOCOL_NAMES: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, gre: 47, icmpv6: 58, sctp: 132 };

/** Components the manual-rule body can carry, and where each goes. */
const CARRIED: Partial<Record<ComponentKey, 'target' | 'protocol' | 'port' | 'sourcePort'>> = {
  destination: 'target',
  ipProtocol: 'protocol',
  destinationPort: 'port',
  sourcePort: 'sourcePort',
};

function fail(field: keyof ManualRuleForm, error: string): Extract<FormResult, { ok: false }> {
  return { ok: false, field, error };
}

/** "udp, 6" → [17, 6]; undefined when empty; a string when invalid. */
function numberList(
  text: string,
  max: number,
  names?: Record<string, number>,
): number[] | undefined | string {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    const n = names?.[p] ?? (/^\d+$/.test(p) ? Number(p) : NaN);
    if (!Number.isInteger(n) || n < 0 || n > max) return `${JSON.stringify(p)} is not a number 0–${max}`;
    out.push(n);
  }
  return out;
}

/** Terms that are a plain OR of exact values ("=53|=123"), or undefined. */
function exactValues(terms: readonly NumericTerm[]): number[] | undefined {
  const ok = terms.every((t, i) => t.eq && !t.lt && !t.gt && (i === 0 || !t.and));
  return ok ? terms.map((t) => t.value) : undefined;
}

function fromFlowSpec(
  text: string,
):
  | { ok: true; fields: Pick<ManualRuleRequest, 'target' | 'protocol' | 'port' | 'sourcePort'> }
  | Extract<FormResult, { ok: false }> {
  const m = parseFlowSpec(text);
  if ('error' in m) return fail('flowspec', `${m.message} (at character ${m.position + 1})`);
  const fields: { target?: string; protocol?: number[]; port?: number[]; sourcePort?: number[] } = {};
  for (const key of Object.keys(m) as (ComponentKey | 'family')[]) {
    if (key === 'family') continue;
    const spec = COMPONENTS[key];
    const to = CARRIED[key];
    if (!to)
      return fail(
        'flowspec',
        `${spec.keyword}: a manual rule carries only dst, proto, dport and sport; refusing rather than dropping ${spec.keyword} (the rule would match more traffic)`,
      );
    if (key === 'destination') {
      if (m.destination?.offset) return fail('flowspec', 'dst with an offset cannot be a manual rule target');
      fields.target = m.destination?.prefix;
      continue;
    }
    const values = exactValues(m[key] as readonly NumericTerm[]);
    if (!values)
      return fail(
        'flowspec',
        `${spec.keyword}: only exact values joined by | (e.g. =53|=123) can be carried`,
      );
    fields[to as 'protocol' | 'port' | 'sourcePort'] = values;
  }
  if (!fields.target) return fail('flowspec', 'the match needs dst (the protected address or prefix)');
  return { ok: true, fields: { ...fields, target: fields.target } };
}

const one = (v: number[]): number | number[] => (v.length === 1 ? (v[0] as number) : v);

export function manualRuleRequest(form: ManualRuleForm): FormResult {
  if (!(INTENTS as readonly string[]).includes(form.intent))
    return fail('intent', `choose an intent: ${INTENTS.join(', ')}`);
  const intent = form.intent as Intent;
  let base: Pick<ManualRuleRequest, 'target' | 'protocol' | 'port' | 'sourcePort'>;
  if (form.flowspec.trim()) {
    const r = fromFlowSpec(form.flowspec.trim());
    if (!r.ok) return r;
    base = r.fields;
  } else {
    const target = form.target.trim();
    if (!target) return fail('target', 'give the address or prefix to protect');
    const protocol = numberList(form.protocol, 255, PROTOCOL_NAMES);
    if (typeof protocol === 'string') return fail('protocol', protocol);
    const port = numberList(form.port, 65535);
    if (typeof port === 'string') return fail('port', port);
    const sourcePort = numberList(form.sourcePort, 65535);
    if (typeof sourcePort === 'string') return fail('sourcePort', sourcePort);
    base = {
      target,
      ...(protocol ? { protocol: one(protocol) } : {}),
      ...(port ? { port: one(port) } : {}),
      ...(sourcePort ? { sourcePort: one(sourcePort) } : {}),
    };
  }
  let rateBitsPerSecond: number | undefined;
  if (form.rateMbps.trim()) {
    const r = Number(form.rateMbps);
    if (!Number.isFinite(r) || r <= 0) return fail('rateMbps', 'rate must be a positive number of Mbit/s');
    rateBitsPerSecond = Math.round(r * 1e6);
  }
  let ttlSeconds: number | undefined;
  if (form.ttlSeconds.trim()) {
    ttlSeconds = Number(form.ttlSeconds);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 7 * 24 * 3600)
      return fail('ttlSeconds', 'TTL must be whole seconds, 1 to 604800 (7 days)');
  }
  let level: EscalationLevel | undefined;
  if (form.level.trim()) {
    const l = Number(form.level);
    if (![0, 1, 2, 3, 4].includes(l)) return fail('level', 'level is 0 (outside the ladder) to 4');
    level = l as EscalationLevel;
  }
  const reason = form.reason.trim();
  return {
    ok: true,
    body: {
      ...base,
      intent,
      ...(rateBitsPerSecond !== undefined ? { rateBitsPerSecond } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      ...(level !== undefined ? { level } : {}),
      ...(reason ? { reason } : {}),
      ...(form.dryRun ? { dryRun: true } : {}),
    },
  };
}
