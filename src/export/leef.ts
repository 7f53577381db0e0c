// IBM QRadar Log Event Extended Format 2.0 rendering: `LEEF:2.0|Vendor|Product|Version|EventID|^|k=v^k=v`.
// LEEF defines no escape for the attribute delimiter, so `^`, tabs and line breaks inside a value are
// replaced by a space; `|` in a header field is escaped with a backslash. Predefined keys (devTime with
// devTimeFormat, cat, sev 1–10, dst, msg) come first, then floodgate's own keys.
import type { ExportEvent } from './event.js';
import { VERSION } from '../cli/version.js';

export const LEEF_DELIMITER = '^';

function header(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n\t]+/g, ' ');
}

function value(s: string): string {
  return s.replace(/[\^\t\r\n]+/g, ' ');
}

export function toLeef(e: ExportEvent): string {
  const host = e.target?.match(/^([0-9.]+)\/32$|^([0-9a-fA-F:]+)\/128$/);
  const attrs: [string, string | number | boolean | undefined][] = [
    ['devTime', new Date(e.at).toISOString()],
    ['devTimeFormat', "yyyy-MM-dd'T'HH:mm:ss.SSSX"],
    ['cat', e.category],
    ['sev', Math.max(1, Math.min(10, Math.round(e.severity)))],
    ['dst', host?.[1] ?? host?.[2]],
    ['msg', e.reason],
    ['action', e.action],
    ['node', e.node],
    ['target', e.target],
    ['family', e.family],
    ['attackId', e.attackId],
    ['ruleId', e.ruleId],
    ['tenant', e.tenant],
    ['adapter', e.adapter],
    ['peer', e.peer],
    ['exporter', e.exporter],
    ['dryRun', e.dryRun],
    ['pps', e.pps],
    ['bps', e.bps],
    ['peakBps', e.peakBps],
    ['sources', e.sources?.join(',')],
  ];
  const body = attrs
    .filter((kv): kv is [string, string | number | boolean] => kv[1] !== undefined)
    .map(([k, v]) => `${k}=${value(String(v))}`)
    .join(LEEF_DELIMITER);
  const h = ['LEEF:2.0', 'floodgate', 'floodgate', VERSION, `${e.category}:${e.action}`]
    .map((x, i) => (i === 0 ? x : header(x)))
    .join('|');
  return `${h}|${LEEF_DELIMITER}|${body}`;
}
