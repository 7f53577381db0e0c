// A real ExaBGP 4.2 as the receiving side (RIG.md §4): it connects to floodgate's listener (floodgate has it
// as a passive peer) and writes every UPDATE it receives as JSON (api receive parsed/update) to a file.
import { writeFileSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  removeDir,
  requireBinary,
  startProcess,
  stopProcess,
  tempDir,
  type Proc,
} from '../../support/daemon.js';
import { waitFor } from '../../support/wait.js';

export interface ExabgpOptions {
  readonly address: string;
  readonly asn: number;
  readonly peerAddress: string;
  readonly peerAs: number;
  readonly peerPort: number;
}

/** One route as ExaBGP reported it, keyed by family + NLRI string. */
export interface ExaRoute {
  readonly family: string;
  readonly nlri: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
}

export class Exabgp {
  private proc: Proc | undefined;
  readonly dir: string;
  constructor(readonly o: ExabgpOptions) {
    requireBinary('/usr/sbin/exabgp', 'exabgp');
    this.dir = tempDir('exabgp');
  }

  private get out(): string {
    return join(this.dir, 'received.jsonl');
  }

  async start(): Promise<void> {
    mkdirSync(join(this.dir, 'run'));
    writeFileSync(
      join(this.dir, 'recv.py'),
      `import sys\nwith open(${JSON.stringify(this.out)}, 'a') as f:\n    for line in sys.stdin:\n        f.write(line); f.flush()\n`,
    );
    writeFileSync(
      join(this.dir, 'exabgp.conf'),
      `process recv {\n  run /usr/bin/python3 ${join(this.dir, 'recv.py')};\n  encoder json;\n}\n` +
        `neighbor ${this.o.peerAddress} {\n  router-id ${this.o.address.replace(/^127\./, '10.')};\n  local-address ${this.o.address};\n` +
        `  local-as ${this.o.asn};\n  peer-as ${this.o.peerAs};\n  connect ${this.o.peerPort};\n  hold-time 90;\n` +
        `  family {\n    ipv4 unicast;\n    ipv6 unicast;\n    ipv4 flow;\n    ipv6 flow;\n  }\n` +
        `  api {\n    processes [ recv ];\n    receive { parsed; update; }\n  }\n}\n`,
    );
    writeFileSync(
      join(this.dir, 'exabgp.env'),
      `[exabgp.api]\nack = false\ncli = false\nencoder = json\npipename = 'floodgate'\nrespawn = false\n` +
        `[exabgp.daemon]\ndaemonize = false\ndrop = false\nuser = 'root'\npid = '${join(this.dir, 'exabgp.pid')}'\n` +
        `[exabgp.log]\ndestination = '${join(this.dir, 'exabgp.log')}'\nlevel = INFO\npackets = false\n` +
        `[exabgp.tcp]\nbind = ''\nport = ${this.o.peerPort}\n`,
    );
    this.proc = startProcess('/usr/sbin/exabgp', [
      '--env',
      join(this.dir, 'exabgp.env'),
      '--root',
      this.dir,
      join(this.dir, 'exabgp.conf'),
    ]);
  }

  private events(): Record<string, unknown>[] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async waitEstablished(timeoutMs = 30000): Promise<void> {
    // ExaBGP reports its first UPDATE (our End-of-RIB) only once the session is up.
    await waitFor(
      'ExaBGP session up',
      () => (this.events().some((e) => e.type === 'update') ? true : undefined),
      timeoutMs,
      200,
    );
  }

  /** Replay received UPDATEs into a RIB: family|nlri-string → route. */
  rib(): Map<string, ExaRoute> {
    const rib = new Map<string, ExaRoute>();
    for (const e of this.events()) {
      if (e.type !== 'update') continue;
      const upd = ((e.neighbor as Record<string, unknown>)?.message as Record<string, unknown>)?.update as
        Record<string, unknown> | undefined;
      if (!upd) continue;
      const attributes = (upd.attribute ?? {}) as Record<string, unknown>;
      for (const [family, byNh] of Object.entries((upd.withdraw ?? {}) as Record<string, unknown>)) {
        const list = (
          Array.isArray(byNh) ? byNh : Object.values(byNh as Record<string, unknown>).flat()
        ) as Record<string, unknown>[];
        for (const n of list) rib.delete(`${family}|${key(n)}`);
      }
      for (const [family, byNh] of Object.entries(
        (upd.announce ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        for (const [nh, list] of Object.entries(byNh)) {
          for (const n of list as Record<string, unknown>[])
            rib.set(`${family}|${key(n)}`, { family, nlri: { ...n, 'next-hop': nh }, attributes });
        }
      }
    }
    return rib;
  }

  async stop(): Promise<void> {
    await stopProcess(this.proc);
    this.proc = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    removeDir(this.dir);
  }

  log(): string {
    const f = join(this.dir, 'exabgp.log');
    return (existsSync(f) ? readFileSync(f, 'utf8') : '') + (this.proc?.output() ?? '');
  }
}

function key(n: Record<string, unknown>): string {
  // ExaBGP appends the MP next hop to a FlowSpec NLRI string on announce, not on withdraw
  return typeof n.string === 'string'
    ? n.string.replace(/ next-hop \S+$/, '')
    : typeof n.nlri === 'string'
      ? n.nlri
      : JSON.stringify(n);
}
