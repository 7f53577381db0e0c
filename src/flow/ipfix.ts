// IPFIX decoder (RFC 7011): 16-octet message header, sets (2 template, 3 options template, ≥256 data),
// enterprise-specific field specifiers (E bit + PEN), variable-length fields (§7), template withdrawal
// (field count 0; template id 2/3 = withdraw all, §8.1). Templates per (exporter, observation domain).
import { FORMAT_CODE } from './batch.js';
import type { FlowErrorKind } from './errors.js';
import type { ExporterState } from './exporter.js';
import { compileTemplate, templateWireBytes } from './fields.js';
import { refuse } from './netflow9.js';
import { decodeDataSet, type SetContext } from './dataset.js';
import { queuePending, replayPending } from './pending.js';
import type { BatchSink } from './sink.js';
import { copyOctets, type TemplateField } from './templates.js';

export const IPFIX_HEADER = 16;

export function decodeIpfix(dv: DataView, exp: ExporterState, sink: BatchSink): FlowErrorKind | undefined {
  if (dv.byteLength < IPFIX_HEADER) return exp.error('truncated');
  if (dv.getUint16(0) !== 10) return exp.error('bad-version');
  const len = dv.getUint16(2);
  if (len < IPFIX_HEADER) return exp.error('bad-length');
  if (len > dv.byteLength) return exp.error('truncated');
  const ctx: SetContext = {
    formatCode: FORMAT_CODE.ipfix,
    ipfix: true,
    domain: dv.getUint32(12),
    exportMs: dv.getUint32(4) * 1000,
    sysUptime: 0,
  };
  const seq = dv.getUint32(8);
  let dataRecords = 0;
  let unknown = false;
  let err: FlowErrorKind | undefined;
  let o = IPFIX_HEADER;
  while (len - o >= 4) {
    const setId = dv.getUint16(o);
    const setLen = dv.getUint16(o + 2);
    if (setLen < 4) {
      err = exp.error('bad-length');
      break;
    }
    if (o + setLen > len) {
      err = exp.error('truncated');
      break;
    }
    const s = o + 4;
    const e = o + setLen;
    if (setId === 2 || setId === 3) err = templateSet(dv, s, e, setId === 3, ctx, exp, sink) ?? err;
    else if (setId >= 256) {
      const t = exp.templates.get(ctx.domain, setId, exp.lastSeenMs);
      if (!t) {
        unknown = true;
        err = exp.error('unknown-template');
        queuePending(exp, ctx, setId, dv, s, e);
      } else {
        const n = decodeDataSet(dv, s, e, t, ctx, exp, sink);
        if (n < 0) {
          unknown = true;
          err = exp.error('truncated');
        } else dataRecords += n;
      }
    }
    o = e;
  }
  // RFC 7011 §3.1 (options data records count too): sequence = data records sent before this message; with unknown sets the count is unknown
  if (unknown) exp.sequence('ipfix', ctx.domain, seq, 0, 'records');
  else exp.sequence('ipfix', ctx.domain, seq, dataRecords, 'records');
  return err;
}

function templateSet(
  dv: DataView,
  s: number,
  e: number,
  options: boolean,
  ctx: SetContext,
  exp: ExporterState,
  sink: BatchSink,
): FlowErrorKind | undefined {
  let err: FlowErrorKind | undefined;
  let o = s;
  while (e - o >= 4) {
    const rec = o;
    const id = dv.getUint16(o);
    const count = dv.getUint16(o + 2);
    o += 4;
    if (count === 0) {
      // withdrawal (§8.1): id 2 / 3 withdraws every (options) template of the domain
      if (id === (options ? 3 : 2)) exp.templates.deleteAll(ctx.domain, options);
      else if (id >= 256) exp.templates.delete(ctx.domain, id);
      else return exp.error('bad-template');
      continue;
    }
    if (id < 256) return exp.error('bad-template');
    let scope = 0;
    if (options) {
      if (e - o < 2) return exp.error('truncated');
      scope = dv.getUint16(o);
      o += 2;
      // §3.4.2.2: scope field count must not be zero
      if (scope === 0 || scope > count) return exp.error('bad-template');
    }
    // the record's end: field specifiers are 4 octets, 8 with an enterprise number (E bit, §3.2)
    const first = o;
    for (let k = 0; k < count; k++) {
      if (e - o < 4) return exp.error('truncated');
      o += dv.getUint16(o) & 0x8000 ? 8 : 4;
    }
    if (o > e) return exp.error('truncated');
    // an unchanged re-send (§8.1: periodic over UDP) restarts the lifetime: no parse, no compile
    if (exp.templates.refresh(ctx.domain, id, options, dv, rec, o, exp.lastSeenMs)) {
      err = replayPending(exp, ctx, id, sink) ?? err;
      continue;
    }
    if (count > exp.limits.maxTemplateFields) {
      // refused before anything is allocated
      err = exp.error('template-too-large');
      continue;
    }
    const end = o;
    o = first;
    const fields: TemplateField[] = [];
    for (let k = 0; k < count; k++) {
      const raw = dv.getUint16(o);
      const length = dv.getUint16(o + 2);
      o += 4;
      let enterprise = 0;
      if (raw & 0x8000) {
        enterprise = dv.getUint32(o);
        o += 4;
      }
      fields.push({ id: raw & 0x7fff, length, enterprise, scope: k < scope });
    }
    const early = exp.templates.refusal(ctx.domain, id, templateWireBytes(fields, options));
    if (early) {
      err = refuse(exp, early);
      continue;
    }
    const t = compileTemplate(id, fields, options, false);
    if (!t) {
      err = exp.error('bad-template');
      continue;
    }
    const refused = exp.templates.set(ctx.domain, id, t, exp.lastSeenMs, copyOctets(dv, rec, end));
    if (refused) {
      err = refuse(exp, refused);
      continue;
    }
    err = replayPending(exp, ctx, id, sink) ?? err;
  }
  return err;
}
