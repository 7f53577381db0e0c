// Data sets that arrive before their template (RFC 7011 §8 allows it over UDP; RFC 3954 §5.2 likewise): kept
// in a small bounded per-exporter queue and decoded when the template arrives.
import type { FlowErrorKind } from './errors.js';
import { decodeDataSet, type SetContext } from './dataset.js';
import { PENDING_LIMIT, PENDING_MAX_BYTES, type ExporterState } from './exporter.js';
import type { BatchSink } from './sink.js';

export function queuePending(
  exp: ExporterState,
  ctx: SetContext,
  templateId: number,
  dv: DataView,
  start: number,
  end: number,
): void {
  const data = new Uint8Array(end - start);
  data.set(new Uint8Array(dv.buffer, dv.byteOffset + start, end - start));
  while (
    exp.pending.length > 0 &&
    (exp.pending.length >= PENDING_LIMIT || exp.pendingBytes + data.length > PENDING_MAX_BYTES)
  ) {
    const dropped = exp.pending.shift()!;
    exp.pendingBytes -= dropped.data.length;
    exp.error('pending-overflow');
  }
  if (data.length > PENDING_MAX_BYTES) {
    exp.error('pending-overflow');
    return;
  }
  exp.pending.push({
    format: ctx.ipfix ? 'ipfix' : 'netflow9',
    domain: ctx.domain,
    templateId,
    data,
    exportMs: ctx.exportMs,
    sysUptimeMs: ctx.sysUptime,
  });
  exp.pendingBytes += data.length;
}

/** Decodes queued sets for a template that just arrived. Returns an error kind if one of them was truncated. */
export function replayPending(
  exp: ExporterState,
  ctx: SetContext,
  templateId: number,
  sink: BatchSink,
): FlowErrorKind | undefined {
  let err: FlowErrorKind | undefined;
  const want = ctx.ipfix ? 'ipfix' : 'netflow9';
  for (let k = 0; k < exp.pending.length;) {
    const p = exp.pending[k]!;
    if (p.format !== want || p.domain !== ctx.domain || p.templateId !== templateId) {
      k++;
      continue;
    }
    exp.pending.splice(k, 1);
    exp.pendingBytes -= p.data.length;
    const t = exp.templates.get(p.domain, templateId);
    if (!t) continue;
    const pctx: SetContext = { ...ctx, exportMs: p.exportMs, sysUptime: p.sysUptimeMs };
    const dv = new DataView(p.data.buffer, p.data.byteOffset, p.data.length);
    if (decodeDataSet(dv, 0, p.data.length, t, pctx, exp, sink) < 0) err = exp.error('truncated');
    exp.notePendingDecoded();
  }
  return err;
}
