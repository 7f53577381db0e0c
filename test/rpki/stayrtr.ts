// A real stayrtr (Debian) serving a VRP file the test edits, on a loopback address of the RPKI block.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Proc,
  removeDir,
  requireBinary,
  startProcess,
  stopProcess,
  tempDir,
} from '../support/daemon.js';
import { waitFor } from '../support/wait.js';
import { Socket } from 'node:net';

export interface RoaLine {
  readonly prefix: string;
  readonly maxLength: number;
  readonly asn: number;
}

export interface StayRtrOptions {
  readonly host: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly roas: readonly RoaLine[];
  /** RTR version the cache speaks (stayrtr -protocol); default 1. */
  readonly protocol?: 0 | 1 | 2;
  /** End of Data timers stayrtr advertises (seconds). */
  readonly refresh?: number;
  readonly retry?: number;
  readonly expire?: number;
}

export class StayRtr {
  readonly dir = tempDir('stayrtr');
  readonly file = join(this.dir, 'vrps.json');
  private proc: Proc | undefined;

  constructor(readonly o: StayRtrOptions) {
    requireBinary('/usr/bin/stayrtr', 'stayrtr');
    this.writeRoas(o.roas);
  }

  /** Replaces the file atomically (write + rename), as validators publish. */
  writeRoas(roas: readonly RoaLine[]): void {
    const doc = {
      metadata: { buildtime: new Date().toISOString() },
      roas: roas.map((r) => ({ prefix: r.prefix, maxLength: r.maxLength, asn: `AS${r.asn}` })),
    };
    writeFileSync(`${this.file}.tmp`, JSON.stringify(doc));
    renameSync(`${this.file}.tmp`, this.file);
  }

  async start(): Promise<void> {
    this.proc = startProcess('/usr/bin/stayrtr', [
      '-bind',
      `${this.o.host}:${this.o.port}`,
      '-metrics.addr',
      `${this.o.host}:${this.o.metricsPort}`,
      '-cache',
      this.file,
      '-checktime=false',
      '-refresh',
      '1',
      '-protocol',
      String(this.o.protocol ?? 1),
      '-rtr.refresh',
      String(this.o.refresh ?? 3600),
      '-rtr.retry',
      String(this.o.retry ?? 1),
      '-rtr.expire',
      String(this.o.expire ?? 7200),
    ]);
    await waitFor(
      `stayrtr on ${this.o.host}:${this.o.port}`,
      () => canConnect(this.o.host, this.o.port),
      15000,
    );
  }

  output(): string {
    return this.proc?.output() ?? '';
  }

  async stop(): Promise<void> {
    await stopProcess(this.proc);
    this.proc = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    removeDir(this.dir);
  }
}

function canConnect(host: string, port: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(undefined));
    s.connect(port, host);
  });
}
