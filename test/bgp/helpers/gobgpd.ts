// A real gobgpd as the receiving router (RIG.md §1): listens on its own 127.0.30.x:1179, gRPC on 127.0.0.1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  removeDir,
  requireBinary,
  run,
  startProcess,
  stopProcess,
  tempDir,
  type Proc,
} from '../../support/daemon.js';
import { waitFor } from '../../support/wait.js';

export interface GobgpdOptions {
  readonly address: string;
  readonly asn: number;
  readonly grpcPort: number;
  readonly peerAddress: string;
  readonly peerAs: number;
  readonly families?: readonly string[];
  readonly port?: number;
}

export class Gobgpd {
  private proc: Proc | undefined;
  readonly dir: string;
  constructor(readonly o: GobgpdOptions) {
    requireBinary('/usr/bin/gobgpd', 'gobgpd');
    this.dir = tempDir('gobgpd');
  }

  async start(): Promise<void> {
    const fams = this.o.families ?? [
      'ipv4-unicast',
      'ipv6-unicast',
      'ipv4-flowspec',
      'ipv6-flowspec',
      'l3vpn-ipv4-flowspec',
    ];
    const conf = [
      '[global.config]',
      `  as = ${this.o.asn}`,
      `  router-id = "${this.o.address.replace(/^127\./, '10.')}"`,
      `  port = ${this.o.port ?? 1179}`,
      `  local-address-list = ["${this.o.address}"]`,
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${this.o.peerAddress}"`,
      `    peer-as = ${this.o.peerAs}`,
      '  [neighbors.timers.config]',
      '    idle-hold-time-after-reset = 1',
      '  [neighbors.transport.config]',
      '    passive-mode = true',
      `    local-address = "${this.o.address}"`,
      ...fams.flatMap((f) => [
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}"`,
      ]),
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'gobgpd.toml'), conf);
    this.proc = startProcess('/usr/bin/gobgpd', [
      '-f',
      join(this.dir, 'gobgpd.toml'),
      `--api-hosts=127.0.0.1:${this.o.grpcPort}`,
      '--pprof-disable',
      '-p',
      '-l',
      'info',
    ]);
    await waitFor(
      'gobgpd gRPC',
      async () => (await this.cli(['global'])).length > 0 || undefined,
      15000,
      200,
    );
  }

  async cli(args: readonly string[]): Promise<string> {
    const { stdout } = await run('/usr/bin/gobgp', ['-p', String(this.o.grpcPort), ...args], {
      timeout: 10000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  }

  async json<T = unknown>(args: readonly string[]): Promise<T> {
    const out = await this.cli(['-j', ...args]);
    return (out.trim() === '' || out.trim() === 'null' ? [] : JSON.parse(out)) as T;
  }

  async sessionState(): Promise<number | undefined> {
    const n = await this.json<{ state?: { session_state?: number } }[]>(['neighbor']);
    return n[0]?.state?.session_state;
  }

  async waitEstablished(timeoutMs = 20000): Promise<void> {
    await waitFor(
      `gobgpd ${this.o.address} session Established`,
      async () => ((await this.sessionState()) === 6 ? true : undefined),
      timeoutMs,
      200,
    );
  }

  /** global rib for a family: destination key → paths. */
  async rib(family: string): Promise<Record<string, GobgpPath[]>> {
    const r = await this.json<Record<string, GobgpPath[]> | unknown[]>(['global', 'rib', '-a', family]);
    return Array.isArray(r) ? {} : r;
  }

  async ribCount(family: string): Promise<number> {
    // `global rib summary` prints "Table ... Destination: N, Path: M"
    const out = await this.cli(['global', 'rib', 'summary', '-a', family]);
    const m = /Destination:\s*(\d+)/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  async stop(): Promise<void> {
    await stopProcess(this.proc);
    this.proc = undefined;
  }

  async kill(): Promise<void> {
    await stopProcess(this.proc, 'SIGKILL');
    this.proc = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    removeDir(this.dir);
  }

  log(): string {
    return this.proc?.output() ?? '';
  }
}

export interface GobgpPath {
  nlri: { prefix?: string; value?: { type: number; value: unknown }[]; rd?: unknown };
  attrs: {
    type: number;
    value?: unknown;
    communities?: number[];
    nexthop?: string;
    as_paths?: { asns: number[] }[];
  }[];
}
