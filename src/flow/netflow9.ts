// NetFlow v9 decoder (RFC 3954): 20-octet header, FlowSets (0 template, 1 options template, ≥256 data).
// Templates are kept per (exporter, source id); data sets before their template are queued (pending.ts).
import { FORMAT_CODE } from './batch.js';
import type { FlowErrorKind } from './errors.js';
import type { ExporterState } from './exporter.js';
import { compileTemplate, templateWireBytes } from './fields.js';
import { decodeDataSet, type SetContext } from './dataset.js';
import { queuePending, replayPending } from './pending.js';
import type { BatchSink } from './sink.js';
import { copyOctets, type TemplateField } from './templates.js';

export const NF9_HEADER = 20;

export function decodeNetflow9(dv: DataView, exp: ExporterState, sink: BatchSink): FlowErrorKind | undefined {
  const len = dv.byteLength;
  if (len < NF9_HEADER) return exp.error('truncated');
  if (dv.getUint16(0) !== 9) return exp.error('bad-version');
  const ctx: SetContext = {
    formatCode: FORMAT_CODE.netflow9,
    ipfix: false,
    domain: dv.getUint32(16),
    exportMs: dv.getUint32(8) * 1000,
    sysUptime: dv.getUint32(4),
  };
  // RFC 3954 §5.1: the sequence counts export packets per source id
  exp.sequence('netflow9', ctx.domain, dv.getUint32(12), 1, 'datagrams');
  let err: FlowErrorKind | undefined;
  let o = NF9_HEADER;
  // trailing octets shorter than a set header are padding
  while (len - o >= 4) {
    const setId = dv.getUint16(o);
    const setLen = dv.getUint16(o + 2);
    if (setLen < 4) return exp.error('bad-length');
    if (o + setLen > len) return exp.error('truncated');
    const s = o + 4;
    const e = o + setLen;
    if (setId === 0) err = templateSet(dv, s, e, ctx, exp, sink) ?? err;
    else if (setId === 1) err = optionsTemplateSet(dv, s, e, ctx, exp, sink) ?? err;
    else if (setId >= 256) {
      const t = exp.templates.get(ctx.domain, setId, exp.lastSeenMs);
      if (!t) {
        err = exp.error('unknown-template');
        queuePending(exp, ctx, setId, dv, s, e);
      } else if (decodeDataSet(dv, s, e, t, ctx, exp, sink) < 0) err = exp.error('truncated');
    }
    // set ids 2..255 are reserved: skipped by length
    o = e;
  }
  return err;
}

function store(
  exp: ExporterState,
  ctx: SetContext,
  id: number,
  fields: TemplateField[],
  options: boolean,
  sink: BatchSink,
  raw: Uint8Array,
): FlowErrorKind | undefined {
  // a template the bounds refuse anyway is not compiled (a flood of them costs no CPU beyond parsing)
  const early = exp.templates.refusal(ctx.domain, id, templateWireBytes(fields, options));
  if (early) return refuse(exp, early);
  const t = compileTemplate(id, fields, options, true);
  if (!t) return exp.error('bad-template');
  const refused = exp.templates.set(ctx.domain, id, t, exp.lastSeenMs, raw);
  if (refused) return refuse(exp, refused);
  return replayPending(exp, ctx, id, sink);
}

export function refuse(exp: ExporterState, kind: FlowErrorKind): FlowErrorKind {
  if (kind === 'template-budget') exp.budget.refusals++;
  return exp.error(kind);
}

function templateSet(
  dv: DataView,
  s: number,
  e: number,
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
    if (id < 256 || count === 0) return exp.error('bad-template');
    if (o + count * 4 > e) return exp.error('truncated');
    // an unchanged re-send (every few datagrams, RFC 3954 §5.2) restarts the lifetime: no parse, no compile
    if (exp.templates.refresh(ctx.domain, id, false, dv, rec, o + count * 4, exp.lastSeenMs)) {
      o += count * 4;
      err = replayPending(exp, ctx, id, sink) ?? err;
      continue;
    }
    if (count > exp.limits.maxTemplateFields) {
      // refused before anything is allocated; the next record follows at a known offset
      err = exp.error('template-too-large');
      o += count * 4;
      continue;
    }
    const fields: TemplateField[] = [];
    for (let k = 0; k < count; k++, o += 4)
      fields.push({ id: dv.getUint16(o), length: dv.getUint16(o + 2), enterprise: 0, scope: false });
    err = store(exp, ctx, id, fields, false, sink, copyOctets(dv, rec, o)) ?? err;
  }
  return err;
}

/** RFC 3954 §6.1: template id, option scope length (octets), option length (octets), scope then option fields. */
function optionsTemplateSet(
  dv: DataView,
  s: number,
  e: number,
  ctx: SetContext,
  exp: ExporterState,
  sink: BatchSink,
): FlowErrorKind | undefined {
  let err: FlowErrorKind | undefined;
  let o = s;
  while (e - o >= 6) {
    const rec = o;
    const id = dv.getUint16(o);
    const scopeLen = dv.getUint16(o + 2);
    const optLen = dv.getUint16(o + 4);
    o += 6;
    if (id < 256 || scopeLen % 4 !== 0 || optLen % 4 !== 0 || scopeLen + optLen === 0)
      return exp.error('bad-template');
    if (o + scopeLen + optLen > e) return exp.error('truncated');
    if (exp.templates.refresh(ctx.domain, id, true, dv, rec, o + scopeLen + optLen, exp.lastSeenMs)) {
      o += scopeLen + optLen;
      err = replayPending(exp, ctx, id, sink) ?? err;
      if (e - o < 6) break;
      continue;
    }
    if ((scopeLen + optLen) / 4 > exp.limits.maxTemplateFields) {
      err = exp.error('template-too-large');
      o += scopeLen + optLen;
      if (e - o < 6) break;
      continue;
    }
    const fields: TemplateField[] = [];
    for (let k = 0; k < (scopeLen + optLen) / 4; k++, o += 4)
      fields.push({
        id: dv.getUint16(o),
        length: dv.getUint16(o + 2),
        enterprise: 0,
        scope: k < scopeLen / 4,
      });
    err = store(exp, ctx, id, fields, true, sink, copyOctets(dv, rec, o)) ?? err;
    // the rest of the set up to a 4-octet boundary is padding
    if (e - o < 6) break;
  }
  return err;
}
