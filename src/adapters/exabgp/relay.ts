// The relay `floodgate exabgp-api` runs inside exabgp's process API: lines from the adapter link go to
// stdout (exabgp reads them as commands), lines exabgp writes to our stdin go back to the adapter.
// stdout carries nothing else. The link is re-dialled while exabgp keeps us running; stdin EOF
// (exabgp gone) ends the relay.
import { type Socket, connect } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { HELLO, type LinkAddress } from './link-address.js';

export interface RelayIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly log: (msg: string) => void;
}

export interface RelayOptions {
  readonly link: LinkAddress;
  readonly retryMs: number;
}

/** Resolves when stdin ends. */
export function runExabgpRelay(opts: RelayOptions, io: RelayIo): Promise<void> {
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    let fromLink = '';
    let fromExabgp = '';

    const dial = (): void => {
      if (stopped) return;
      const s = opts.link.kind === 'unix' ? connect(opts.link.path) : connect(opts.link.port, opts.link.host);
      s.setEncoding('utf8');
      s.on('connect', () => {
        socket = s;
        fromLink = '';
        s.write(HELLO + '\n');
        io.log('connected to floodgate');
      });
      s.on('data', (d: string) => {
        fromLink += d;
        let nl: number;
        while ((nl = fromLink.indexOf('\n')) >= 0) {
          const line = fromLink.slice(0, nl).replace(/\r$/, '');
          fromLink = fromLink.slice(nl + 1);
          if (line.trim() !== '') io.stdout.write(line + '\n');
        }
      });
      s.on('error', (err) => io.log(`link error: ${err.message}`));
      s.on('close', () => {
        if (socket === s) socket = undefined;
        if (!stopped) retry = setTimeout(dial, opts.retryMs);
      });
    };

    io.stdin.setEncoding('utf8');
    io.stdin.on('data', (d: string) => {
      fromExabgp += d;
      let nl: number;
      while ((nl = fromExabgp.indexOf('\n')) >= 0) {
        const line = fromExabgp.slice(0, nl);
        fromExabgp = fromExabgp.slice(nl + 1);
        // while the link is down exabgp's answers have no one to go to
        if (socket && !socket.destroyed) socket.write(line + '\n');
      }
    });
    io.stdin.on('end', () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      const s = socket;
      if (s) s.end(() => resolve());
      else resolve();
    });
    dial();
  });
}
