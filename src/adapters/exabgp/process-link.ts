// Adapter side of the ExaBGP process API link. exabgp runs `floodgate exabgp-api`, which connects here
// and relays: our command lines → its stdout → exabgp; exabgp's answers (show output, then `done` or
// `error` with `ack = true`) → its stdin → us. One command at a time, each with a deadline.
import { unlink } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { HELLO, type LinkAddress, formatLinkAddress } from './link-address.js';

export interface CommandAnswer {
  readonly ok: boolean;
  /** Lines exabgp wrote before `done`/`error` (show commands). */
  readonly lines: readonly string[];
  readonly error?: string;
}

interface Pending {
  readonly command: string;
  readonly lines: string[];
  readonly resolve: (a: CommandAnswer) => void;
  timer?: NodeJS.Timeout;
}

export class ExabgpProcessLink {
  private server?: Server;
  private socket?: Socket;
  private buffer = '';
  private current?: Pending;
  private readonly queue: Pending[] = [];
  private boundAddress?: LinkAddress;
  connectedAt = 0;

  constructor(
    private readonly address: LinkAddress,
    private readonly timeoutMs: number,
  ) {}

  /** Where the link actually listens (port 0 resolved). */
  get listening(): string | undefined {
    return this.boundAddress ? formatLinkAddress(this.boundAddress) : undefined;
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  async start(): Promise<string> {
    if (this.address.kind === 'unix') await unlink(this.address.path).catch(() => undefined);
    const server = createServer((s) => this.attach(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = (): void => {
        server.off('error', reject);
        resolve();
      };
      if (this.address.kind === 'unix') server.listen(this.address.path, done);
      else server.listen(this.address.port, this.address.host, done);
    });
    const a = server.address();
    this.boundAddress =
      this.address.kind === 'unix'
        ? this.address
        : { kind: 'tcp', host: this.address.host, port: (a as AddressInfo).port };
    return formatLinkAddress(this.boundAddress);
  }

  /** The newest relay wins: exabgp restarted its API process, the old one is gone. */
  private attach(s: Socket): void {
    this.socket?.destroy();
    this.socket = s;
    this.buffer = '';
    this.connectedAt = Date.now();
    s.setEncoding('utf8');
    s.on('data', (d: string) => this.onData(s, d));
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.failAll('exabgp API process disconnected');
    });
    s.on('error', () => s.destroy());
    this.pump();
  }

  private onData(s: Socket, data: string): void {
    if (this.socket !== s) return;
    this.buffer += data;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (line.startsWith('#') || line === HELLO) return;
    const p = this.current;
    if (!p) return; // unsolicited (e.g. received updates): not ours to interpret
    if (line === 'done' || line === 'error' || line === 'shutdown') {
      this.finish(
        p,
        line === 'done'
          ? { ok: true, lines: p.lines }
          : { ok: false, lines: p.lines, error: `exabgp answered ${line}` },
      );
      return;
    }
    p.lines.push(line);
  }

  private finish(p: Pending, a: CommandAnswer): void {
    if (p.timer) clearTimeout(p.timer);
    if (this.current === p) this.current = undefined;
    p.resolve(a);
    this.pump();
  }

  private failAll(error: string): void {
    const all = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const p of all) {
      if (p.timer) clearTimeout(p.timer);
      p.resolve({ ok: false, lines: p.lines, error });
    }
  }

  private pump(): void {
    if (this.current || !this.connected) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    next.timer = setTimeout(() => {
      this.finish(next, {
        ok: false,
        lines: next.lines,
        error: `no answer from exabgp within ${this.timeoutMs} ms`,
      });
      // a late `done` would be taken for the next command's answer: drop the link, the relay reconnects
      this.socket?.destroy();
    }, this.timeoutMs);
    this.socket?.write(next.command + '\n');
  }

  /** Send one command line; resolves with exabgp's answer. Never rejects. */
  send(command: string): Promise<CommandAnswer> {
    if (/[\r\n]/.test(command))
      return Promise.resolve({ ok: false, lines: [], error: 'command contains a line break' });
    if (!this.connected)
      return Promise.resolve({ ok: false, lines: [], error: 'exabgp API process not connected' });
    return new Promise((resolve) => {
      this.queue.push({ command, lines: [], resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.failAll('link closed');
    this.socket?.destroy();
    this.socket = undefined;
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (this.address.kind === 'unix') await unlink(this.address.path).catch(() => undefined);
  }
}
