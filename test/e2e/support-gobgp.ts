// Shared by the crash test and the end-to-end benchmark: gobgpd's FlowSpec RIB read back as our own
// types (gobgp CLI JSON), and a gRPC WatchEvent stream of every path gobgpd receives from its peers
// (Adj-RIB-In), so that even a route announced and withdrawn between two polls is seen.
import * as grpc from '@grpc/grpc-js';
import { loadGobgpProtos } from '../../src/adapters/gobgp/proto.js';
import type { FlowSpecAction, FlowSpecMatch } from '../../src/flowspec/types.js';
import { gobgpActions, gobgpMatch } from '../bgp/helpers/gobgp-view.js';
import { PROTO_DIR as GOBGP_PROTO_DIR, type Gobgpd, type GobgpPath } from '../support/daemons/gobgpd.js';

export { GOBGP_PROTO_DIR };

export interface RibFlowRule {
  readonly family: 4 | 6;
  /** Destination prefix of the NLRI. */
  readonly target: string;
  readonly match: FlowSpecMatch;
  readonly actions: FlowSpecAction[];
}

/** Every FlowSpec path in gobgpd's global RIB (IPv4 and IPv6), converted back to our types. */
export async function flowSpecRib(g: Gobgpd): Promise<RibFlowRule[]> {
  const out: RibFlowRule[] = [];
  for (const [fam, name] of [
    [4, 'ipv4-flowspec'],
    [6, 'ipv6-flowspec'],
  ] as const) {
    for (const paths of Object.values(await g.rib(name))) {
      for (const p of paths as GobgpPath[]) {
        const match = gobgpMatch(p, fam);
        out.push({ family: fam, target: match.destination?.prefix ?? '?', match, actions: gobgpActions(p) });
      }
    }
  }
  return out;
}

export interface RibEvent {
  /** Wall-clock ms (fractional) when the event reached us. */
  readonly at: number;
  readonly withdraw: boolean;
  /** The unpacked NLRI as JSON text (contains the destination prefix). */
  readonly nlri: string;
}

/**
 * Streams gobgpd's WatchEvent (table filter ADJIN: every UPDATE received from a peer, announce and
 * withdraw) into `events`. `ready` resolves once the stream is open.
 */
export class RibWatch {
  readonly events: RibEvent[] = [];
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientReadableStream<unknown>;
  private readonly listeners: ((e: RibEvent) => void)[] = [];
  readonly ready: Promise<void>;

  constructor(grpcPort: number) {
    const protos = loadGobgpProtos(GOBGP_PROTO_DIR);
    this.client = new protos.GobgpApi(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const watch = (
      this.client as unknown as Record<string, (req: unknown) => grpc.ClientReadableStream<unknown>>
    ).WatchEvent as (req: unknown) => grpc.ClientReadableStream<unknown>;
    this.call = watch.call(this.client, { table: { filters: [{ type: 'ADJIN', init: false }] } });
    this.ready = new Promise<void>((resolve) => {
      this.call.on('metadata', () => resolve());
      setTimeout(resolve, 1000).unref();
    });
    this.call.on('data', (r: unknown) => {
      const at = performance.timeOrigin + performance.now();
      const paths = (r as { table?: { paths?: Record<string, unknown>[] } }).table?.paths ?? [];
      for (const p of paths) {
        const e: RibEvent = {
          at,
          withdraw: Boolean(p.is_withdraw),
          nlri: JSON.stringify(protos.unpack(p.nlri as never)),
        };
        this.events.push(e);
        for (const l of this.listeners) l(e);
      }
    });
    this.call.on('error', () => undefined); // cancelled on close
  }

  /** Resolves with the first announce (from now on) whose NLRI mentions `text`. */
  next(text: string, timeoutMs: number): Promise<RibEvent | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const l = (e: RibEvent) => {
        if (!e.withdraw && e.nlri.includes(text)) done(e);
      };
      const done = (e: RibEvent | undefined) => {
        clearTimeout(timer);
        const i = this.listeners.indexOf(l);
        if (i >= 0) this.listeners.splice(i, 1);
        resolve(e);
      };
      this.listeners.push(l);
    });
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
