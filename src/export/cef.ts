// ArcSight Common Event Format (CEF) rendering of an export event, per "Implementing ArcSight CEF" rev 25:
// header `CEF:0|Vendor|Product|Version|Signature ID|Name|Severity|Extension`; in the header `\` and `|` are
// escaped, in extension values `\`, `=` and line breaks (as \n, \r). Keys are the spec's dictionary names
// (rt, act, cat, dst, msg, externalId, dvchost) plus labelled custom strings/numbers (csN/cnN + Label).
import type { ExportEvent } from './event.js';
import { VERSION } from '../cli/version.js';

export const CEF_VENDOR = 'floodgate';
export const CEF_PRODUCT = 'floodgate';

export function cefHeaderEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

export function cefValueEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

const IPV4_HOST = /^(\d{1,3}(?:\.\d{1,3}){3})\/32$/;

/** Subject of the event for the custom string cs5: the adapter, peer or exporter it is about. */
function subject(e: ExportEvent): string | undefined {
  return e.adapter ?? e.peer ?? e.exporter;
}

export function toCef(e: ExportEvent): string {
  const ext: [string, string | number | undefined][] = [
    ['rt', e.at],
    ['act', e.action],
    ['cat', e.category],
    ['dvchost', e.node],
    ['externalId', e.attackId ?? e.ruleId],
    ['dst', e.target?.match(IPV4_HOST)?.[1]],
    ['msg', e.reason],
    ['cs1Label', e.target !== undefined ? 'target' : undefined],
    ['cs1', e.target],
    ['cs2Label', e.family !== undefined ? 'family' : undefined],
    ['cs2', e.family],
    ['cs3Label', e.ruleId !== undefined ? 'ruleId' : undefined],
    ['cs3', e.ruleId],
    ['cs4Label', e.tenant !== undefined ? 'tenant' : undefined],
    ['cs4', e.tenant],
    ['cs5Label', subject(e) !== undefined ? 'subject' : undefined],
    ['cs5', subject(e)],
    ['cs6Label', e.sources ? 'sources' : undefined],
    ['cs6', e.sources?.join(',')],
    ['cn1Label', e.pps !== undefined ? 'pps' : undefined],
    ['cn1', e.pps],
    ['cn2Label', e.bps !== undefined ? 'bps' : undefined],
    ['cn2', e.bps],
    ['cn3Label', e.peakBps !== undefined ? 'peakBps' : undefined],
    ['cn3', e.peakBps],
  ];
  const extension = ext
    .filter((kv): kv is [string, string | number] => kv[1] !== undefined)
    .map(([k, v]) => `${k}=${cefValueEscape(String(v))}`)
    .join(' ');
  const header = [
    'CEF:0',
    CEF_VENDOR,
    CEF_PRODUCT,
    VERSION,
    `${e.category}:${e.action}`,
    e.title,
    String(Math.max(0, Math.min(10, Math.round(e.severity)))),
  ]
    .map((h, i) => (i === 0 ? h : cefHeaderEscape(h)))
    .join('|');
  return `${header}|${extension}`;
}
