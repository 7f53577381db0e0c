// A local HTTP server standing in for a paid notification service: it records every request, runs the
// vendor's documented contract over it (vendor-contracts.ts) and answers as the vendor does — an error
// status when the request breaks the contract, so a bad request fails the delivery as it would live.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly json: unknown;
  readonly problems: readonly string[];
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A vendor: its contract check and its answers (ok / refused). */
export interface Vendor {
  check(req: Omit<Recorded, 'problems'>): string[];
  ok(req: Omit<Recorded, 'problems'>): Answer;
  refused(problems: string[]): Answer;
}

export class VendorServer {
  readonly requests: Recorded[] = [];
  /** Answers to give before the normal ones (e.g. a 429 first), consumed in order. */
  readonly scripted: Answer[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(host: string, vendor: Vendor): Promise<VendorServer> {
    const holder: { self?: VendorServer } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const u = new URL(req.url ?? '/', 'http://x');
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        const base = {
          method: req.method ?? '',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          raw,
          json,
        };
        const problems = vendor.check(base);
        holder.self!.requests.push({ ...base, problems });
        const answer =
          holder.self!.scripted.shift() ?? (problems.length ? vendor.refused(problems) : vendor.ok(base));
        const body =
          answer.body === undefined
            ? ''
            : typeof answer.body === 'string'
              ? answer.body
              : JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
          ...answer.headers,
        });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, host, () => r()));
    const addr = server.address() as { port: number };
    holder.self = new VendorServer(server, `http://${host}:${addr.port}`);
    return holder.self;
  }

  problems(): string[] {
    return this.requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.path}: ${p}`));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
