// Reads back what floodgate holds in its nft table (nft -j list table): rules grouped by the comment tag
// "fg:<rule id> <target> <intent>[ extras]", with handles, counters and the sysctl values to restore
// ("prev:<name>=<value>" in the comment). Pure over the JSON text (libnftables JSON, nft -j).
import type { SysctlName } from './render.js';
import { SYSCTLS } from './render.js';

export interface HeldNftRule {
  readonly ruleId: string;
  readonly target: string;
  readonly intent: string;
  readonly comment: string;
  readonly chain: string;
  readonly handle: number;
  readonly packets: number;
  readonly bytes: number;
  readonly prev: Partial<Record<SysctlName, string>>;
}

export interface TableState {
  readonly exists: boolean;
  readonly rules: readonly HeldNftRule[];
  /** Named objects (sets, limits) by type and name. */
  readonly objects: readonly { readonly type: 'set' | 'limit'; readonly name: string }[];
}

const COMMENT = /^fg:(\S+) (\S+) (\S+)(.*)$/;

export function parseTable(json: string): TableState {
  const doc = JSON.parse(json) as { nftables?: Record<string, unknown>[] };
  const rules: HeldNftRule[] = [];
  const objects: { type: 'set' | 'limit'; name: string }[] = [];
  for (const item of doc.nftables ?? []) {
    if (item.set) objects.push({ type: 'set', name: String((item.set as { name: string }).name) });
    if (item.limit) objects.push({ type: 'limit', name: String((item.limit as { name: string }).name) });
    const r = item.rule as
      { chain: string; handle: number; comment?: string; expr?: Record<string, unknown>[] } | undefined;
    if (!r?.comment) continue;
    const m = COMMENT.exec(r.comment);
    if (!m) continue;
    let packets = 0;
    let bytes = 0;
    for (const e of r.expr ?? []) {
      const c = e.counter as { packets?: number; bytes?: number } | undefined;
      if (c) {
        packets += c.packets ?? 0;
        bytes += c.bytes ?? 0;
      }
    }
    const prev: Partial<Record<SysctlName, string>> = {};
    for (const p of (m[4] ?? '').matchAll(/prev:([a-z]+)=([0-9]+)/g)) {
      if (p[1]! in SYSCTLS) prev[p[1] as SysctlName] = p[2]!;
    }
    rules.push({
      ruleId: m[1]!,
      target: m[2]!,
      intent: m[3]!,
      comment: r.comment,
      chain: r.chain,
      handle: r.handle,
      packets,
      bytes,
      prev,
    });
  }
  return { exists: true, rules, objects };
}
