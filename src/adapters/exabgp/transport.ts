// The two ways commands reach ExaBGP: the process API link (`floodgate exabgp-api`) and an HTTP bridge
// that feeds POSTed commands to exabgp (as exabgp-http-api style bridges do).
import type { CommandAnswer } from './process-link.js';
import { ExabgpProcessLink } from './process-link.js';
import { parseLinkAddress } from './link-address.js';

export interface TransportAnswer extends CommandAnswer {
  readonly retryable: boolean;
}

export interface ExabgpTransport {
  readonly mode: 'process' | 'http';
  /** false when commands cannot reach exabgp right now (relay not connected). */
  readonly ready: boolean;
  /** Can it answer `show` commands with exabgp's own output? */
  readonly canQuery: boolean;
  start(): Promise<void>;
  send(command: string): Promise<TransportAnswer>;
  close(): Promise<void>;
}

export class ProcessTransport implements ExabgpTransport {
  readonly mode = 'process';
  readonly canQuery = true;
  readonly link: ExabgpProcessLink;

  constructor(listen: string, timeoutMs: number) {
    this.link = new ExabgpProcessLink(parseLinkAddress(listen), timeoutMs);
  }

  get ready(): boolean {
    return this.link.connected;
  }

  async start(): Promise<void> {
    await this.link.start();
  }

  async send(command: string): Promise<TransportAnswer> {
    const a = await this.link.send(command);
    // exabgp answering `error` is final (bad command); no link or no answer is worth a retry
    return { ...a, retryable: !a.ok && a.error !== 'exabgp answered error' };
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

export interface HttpBridgeOptions {
  readonly url: string;
  readonly bodyFormat: 'form' | 'text';
  readonly field: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export class HttpBridgeTransport implements ExabgpTransport {
  readonly mode = 'http';
  readonly canQuery = false;
  readonly ready = true;

  constructor(private readonly opts: HttpBridgeOptions) {}

  async start(): Promise<void> {}

  async send(command: string): Promise<TransportAnswer> {
    const form = this.opts.bodyFormat === 'form';
    const body = form ? new URLSearchParams({ [this.opts.field]: command }).toString() : command;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': form ? 'application/x-www-form-urlencoded' : 'text/plain; charset=utf-8',
          ...this.opts.headers,
        },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const text = await res.text();
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (res.ok) return { ok: true, lines, retryable: false };
      return {
        ok: false,
        lines,
        error: `bridge answered HTTP ${res.status}`,
        retryable: res.status >= 500 || res.status === 429 || res.status === 408,
      };
    } catch (err) {
      return {
        ok: false,
        lines: [],
        error: `bridge unreachable: ${(err as Error).message}`,
        retryable: true,
      };
    }
  }

  async close(): Promise<void> {}
}
