// Thin promise wrapper over gobgpd's gRPC service (apipb.GobgpApi, GoBGP 3.x): AddPath, DeletePath,
// ListPath, ListPeer. Errors keep gobgpd's own text (gRPC code 2 carries the Go error in details).
import * as grpc from '@grpc/grpc-js';
import { type AnyMessage, type GobgpProtos, loadGobgpProtos } from './proto.js';
import type { GobgpFamily, GobgpPath } from './render.js';

export interface ListedPath {
  readonly prefix: string;
  readonly family: GobgpFamily;
  readonly nlri: AnyMessage;
  readonly pattrs: readonly AnyMessage[];
  readonly best: boolean;
  readonly neighborIp: string;
  readonly uuid: string;
}

export interface PeerSummary {
  readonly address: string;
  readonly asn: number;
  /** apipb.PeerState.SessionState name, e.g. ESTABLISHED. */
  readonly state: string;
}

export class GobgpCallError extends Error {
  override readonly name = 'GobgpCallError';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`gobgpd ${method}: ${grpc.status[code] ?? code} ${details}`);
  }
  /** Unavailable / deadline: gobgpd down or slow, worth a retry; UNKNOWN is gobgpd refusing the path. */
  get retryable(): boolean {
    return this.code === grpc.status.UNAVAILABLE || this.code === grpc.status.DEADLINE_EXCEEDED;
  }
}

type Unary = (
  req: unknown,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => void;
type Streaming = (req: unknown, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

export class GobgpClient {
  readonly protos: GobgpProtos;
  private readonly client: grpc.Client;

  constructor(
    target: string,
    protoDir: string,
    private readonly timeoutMs: number,
  ) {
    this.protos = loadGobgpProtos(protoDir);
    this.client = new this.protos.GobgpApi(target, grpc.credentials.createInsecure());
  }

  private opts(): grpc.CallOptions {
    return { deadline: new Date(Date.now() + this.timeoutMs) };
  }

  private unary(method: string, req: unknown): Promise<unknown> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    if (!fn) throw new Error(`apipb.GobgpApi has no ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(this.client, req, this.opts(), (err, res) => {
        if (err) reject(new GobgpCallError(method, err.code, err.details || err.message));
        else resolve(res);
      });
    });
  }

  private stream<T>(method: string, req: unknown, map: (r: unknown) => T[]): Promise<T[]> {
    const fn = (this.client as unknown as Record<string, Streaming>)[method];
    if (!fn) throw new Error(`apipb.GobgpApi has no ${method}`);
    return new Promise((resolve, reject) => {
      const out: T[] = [];
      const s = fn.call(this.client, req, this.opts());
      s.on('data', (r: unknown) => out.push(...map(r)));
      s.on('error', (err: grpc.ServiceError) =>
        reject(new GobgpCallError(method, err.code, err.details || err.message)),
      );
      s.on('end', () => resolve(out));
    });
  }

  wirePath(path: GobgpPath): Record<string, unknown> {
    return {
      family: path.family,
      nlri: this.protos.pack(path.nlri),
      pattrs: path.pattrs.map((a) => this.protos.pack(a)),
    };
  }

  /** Returns the path's uuid (hex). */
  async addPath(path: GobgpPath): Promise<string> {
    const res = (await this.unary('AddPath', { table_type: 'GLOBAL', path: this.wirePath(path) })) as {
      uuid?: Uint8Array;
    };
    return Buffer.from(res.uuid ?? []).toString('hex');
  }

  /** Deletes the locally originated path with this NLRI (no uuid needed: survives our restarts). */
  async deletePath(path: GobgpPath): Promise<void> {
    await this.unary('DeletePath', { table_type: 'GLOBAL', family: path.family, path: this.wirePath(path) });
  }

  listPath(family: GobgpFamily, table: 'GLOBAL' | 'ADJ_IN' = 'GLOBAL', name = ''): Promise<ListedPath[]> {
    return this.stream('ListPath', { table_type: table, family, name }, (r) => {
      const d = (r as { destination?: { prefix: string; paths: Record<string, unknown>[] } }).destination;
      if (!d) return [];
      return d.paths.map((p) => ({
        prefix: d.prefix,
        family: (p.family as GobgpFamily | undefined) ?? family,
        nlri: this.protos.unpack(p.nlri as never),
        pattrs: (p.pattrs as never[]).map((a) => this.protos.unpack(a)),
        best: Boolean(p.best),
        neighborIp: String(p.neighbor_ip ?? ''),
        uuid: Buffer.from((p.uuid as Uint8Array | undefined) ?? []).toString('hex'),
      }));
    });
  }

  listPeer(): Promise<PeerSummary[]> {
    return this.stream('ListPeer', { address: '', enableAdvertised: false }, (r) => {
      const p = (
        r as {
          peer?: {
            conf?: { neighbor_address?: string; peer_asn?: number };
            state?: { session_state?: string };
          };
        }
      ).peer;
      if (!p) return [];
      return [
        {
          address: p.conf?.neighbor_address ?? '',
          asn: Number(p.conf?.peer_asn ?? 0),
          state: String(p.state?.session_state ?? 'UNKNOWN'),
        },
      ];
    });
  }

  close(): void {
    this.client.close();
  }
}
