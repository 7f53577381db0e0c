// A local HTTP server for vendor contract tests: records every request, lets a vendor model check it and
// answer like the vendor, and serves injected faults (429 + Retry-After, 401, 5xx, stalls) first.
// Listens on 127.0.50.x (this helper's loopback range) with an ephemeral port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly json?: unknown;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON. */
  readonly body?: unknown;
  /** Hold the reply this long (timeout tests). */
  readonly delayMs?: number;
}

export interface Fault extends Reply {
  /** Which requests the fault applies to; absent = the next request. */
  readonly when?: (r: Recorded) => boolean;
}

export type VendorModel = (r: Recorded, violations: string[]) => Reply;

export class ContractServer {
  readonly requests: Recorded[] = [];
  /** Contract breaches the vendor model found; a test asserts this stays empty. */
  readonly violations: string[] = [];
  private readonly faults: Fault[] = [];
  private server?: Server;
  baseUrl = '';

  constructor(private readonly model: VendorModel) {}

  /** Queue a fault served (once) before the model sees the request. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  async start(host = '127.0.50.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${a.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    let json: unknown;
    if (body !== '') {
      try {
        json = JSON.parse(body) as unknown;
      } catch {
        json = undefined;
      }
    }
    const rec: Recorded = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
      ...(json !== undefined ? { json } : {}),
    };
    this.requests.push(rec);
    const fi = this.faults.findIndex((f) => (f.when ? f.when(rec) : true));
    let reply: Reply;
    if (fi >= 0) {
      reply = this.faults[fi]!;
      this.faults.splice(fi, 1);
    } else {
      reply = this.model(rec, this.violations);
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const text =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(reply.body !== undefined && typeof reply.body !== 'string'
        ? { 'content-type': 'application/json' }
        : {}),
      ...reply.headers,
    });
    res.end(text);
  }
}

/** A deterministic sleep that records waits instead of sleeping long (keeps tests fast). */
export function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}
