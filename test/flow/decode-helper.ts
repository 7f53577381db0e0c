// Decodes hand-built datagrams through the real dispatcher and returns readable rows.
import { rowsOf, type DecodeRow } from '../../src/cli/commands/decode.js';
import { decodeDatagram } from '../../src/flow/datagram.js';
import type { FlowErrorKind } from '../../src/flow/errors.js';
import { ExporterState } from '../../src/flow/exporter.js';
import { CollectingSink } from '../../src/flow/sink.js';

export class Harness {
  readonly exp: ExporterState;
  readonly sink = new CollectingSink(64);
  readonly results: (FlowErrorKind | undefined)[] = [];
  constructor(address = '192.0.2.10') {
    this.exp = new ExporterState(0, address);
  }
  feed(buf: Uint8Array, nowMs = 1_800_000_000_000): FlowErrorKind | undefined {
    const r = decodeDatagram(buf, this.exp, this.sink, nowMs);
    this.results.push(r);
    return r;
  }
  rows(): DecodeRow[] {
    return rowsOf({ sink: this.sink, exporters: [this.exp] });
  }
  errorTotal(): number {
    return Object.values(this.exp.errors).reduce((a, b) => a + b, 0);
  }
}
