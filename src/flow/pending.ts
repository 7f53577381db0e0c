// Data sets that arrive before their template (RFC 7011 §8 allows it over UDP; RFC 3954 §5.2 likewise): kept
// in a small queue bounded per exporter and in total (limits.ts), and decoded when the template arrives.
import type { FlowErrorKind } from './errors.js';
import { decodeDataSet, type SetContext } from './dataset.js';
import type { ExporterState } from './exporter.js';
import type { BatchSink } from './sink.js';

export function queuePending(
  exp: ExporterState,
  ctx: SetContext,
  templateId: number,
  dv: DataView,
  start: number,
  end: number,
): void {
  const size = end - start;
  const { maxPendingSets, maxPendingBytesPerExporter, maxPendingBytesTotal } = exp.limits;
  if (size > maxPendingBytesPerExporter) {
    exp.error('pending-overflow');
    return;
  }
  // oldest first: the newest set is the likeliest to meet its template soon
  while (
    exp.pending.length > 0 &&
    (exp.pending.length >= maxPendingSets ||
      exp.pendingBytes + size > maxPendingBytesPerExporter ||
      exp.budget.pendingBytes + size > maxPendingBytesTotal)
  ) {
    const dropped = exp.pending.shift()!;
    exp.pendingBytes -= dropped.data.length;
    exp.budget.pendingBytes -= dropped.data.length;
    exp.error('pending-overflow');
  }
  if (exp.budget.pendingBytes + size > maxPendingBytesTotal) {
    // other exporters hold the shared budget: this one's set is refused
    exp.budget.refusals++;
    exp.error('pending-overflow');
    return;
  }
  const data = new Uint8Array(size);
  data.set(new Uint8Array(dv.buffer, dv.byteOffset + start, size));
  exp.pending.push({
    format: ctx.ipfix ? 'ipfix' : 'netflow9',
    domain: ctx.domain,
    templateId,
    data,
    exportMs: ctx.exportMs,
    sysUptimeMs: ctx.sysUptime,
  });
  exp.pendingBytes += data.length;
  exp.budget.pendingBytes += data.length;
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
    exp.budget.pendingBytes -= p.data.length;
    const t = exp.templates.get(p.domain, templateId, exp.lastSeenMs);
    if (!t) continue;
    const pctx: SetContext = { ...ctx, exportMs: p.exportMs, sysUptime: p.sysUptimeMs };
    const dv = new DataView(p.data.buffer, p.data.byteOffset, p.data.length);
    if (decodeDataSet(dv, 0, p.data.length, t, pctx, exp, sink) < 0) err = exp.error('truncated');
    exp.notePendingDecoded();
  }
  return err;
}
