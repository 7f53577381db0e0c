// A real BIRD 2 as the receiving router (RIG.md §3): listens on its own 127.0.30.x:1179 (strict bind),
// flow4/flow6 tables, no kernel protocol (never touches the host FIB), control socket in a temp dir.
import { writeFileSync, renameSync } from 'node:fs';
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

export interface BirdOptions {
  readonly address: string;
  readonly asn: number;
  readonly peerAddress: string;
  readonly peerAs: number;
}

export class Bird {
  private proc: Proc | undefined;
  readonly dir: string;
  constructor(readonly o: BirdOptions) {
    requireBinary('/usr/sbin/bird', 'bird2');
    this.dir = tempDir('bird');
  }

  private get ctl(): string {
    return join(this.dir, 'bird.ctl');
  }

  async start(): Promise<void> {
    writeFileSync(join(this.dir, 'static.conf'), '');
    const conf = `
log "${join(this.dir, 'bird.log')}" all;
router id ${this.o.address.replace(/^127\./, '10.')};
flow4 table flowtab4;
flow6 table flowtab6;
protocol device { }
include "${join(this.dir, 'static.conf')}";
protocol bgp peer {
  local ${this.o.address} port 1179 as ${this.o.asn};
  strict bind on;
  neighbor ${this.o.peerAddress} as ${this.o.peerAs};
  passive on;
  multihop;
  hold time 90;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
  flow4 { table flowtab4; import all; export all; };
  flow6 { table flowtab6; import all; export all; };
}
`;
    writeFileSync(join(this.dir, 'bird.conf'), conf);
    this.proc = startProcess('/usr/sbin/bird', [
      '-f',
      '-c',
      join(this.dir, 'bird.conf'),
      '-s',
      this.ctl,
      '-P',
      join(this.dir, 'bird.pid'),
    ]);
    await waitFor(
      'bird control socket',
      async () => (await this.birdc(['show', 'status'])).includes('Daemon is up') || undefined,
      15000,
      200,
    );
  }

  async birdc(args: readonly string[]): Promise<string> {
    const { stdout } = await run('/usr/sbin/birdc', ['-s', this.ctl, ...args], {
      timeout: 10000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  async established(): Promise<boolean> {
    return /BGP state:\s+Established/.test(await this.birdc(['show', 'protocols', 'all', 'peer']));
  }

  async waitEstablished(timeoutMs = 20000): Promise<void> {
    await waitFor(
      `BIRD ${this.o.address} Established`,
      async () => ((await this.established()) ? true : undefined),
      timeoutMs,
      200,
    );
  }

  /** Static routes BIRD itself originates (protocol blocks), applied with `birdc configure`. */
  async setStatic(blocks: readonly string[]): Promise<void> {
    const f = join(this.dir, 'static.conf');
    writeFileSync(`${f}.tmp`, blocks.join('\n') + '\n');
    renameSync(`${f}.tmp`, f);
    const out = await this.birdc(['configure']);
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`birdc configure: ${out}`);
  }

  /** `show route table T all` parsed into entries: first line + attribute lines. */
  async routes(table: string): Promise<BirdRoute[]> {
    const out = await this.birdc(['show', 'route', 'table', table, 'all']);
    const routes: BirdRoute[] = [];
    let cur: BirdRoute | undefined;
    for (const line of out.split('\n')) {
      if (/^(flow[46] \{|[0-9a-f:.]+\/\d+)/.test(line)) {
        const net = line.startsWith('flow')
          ? line.slice(0, line.indexOf('}') + 1)
          : (line.split(/\s+/)[0] ?? '');
        cur = { net, head: line, attrs: {} };
        routes.push(cur);
      } else if (cur && /^\s+\S/.test(line)) {
        const m = /^\s+([A-Za-z0-9_.]+):\s*(.*)$/.exec(line);
        if (m && m[1] !== undefined && m[2] !== undefined) cur.attrs[m[1]] = m[2];
      }
    }
    return routes;
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
    return this.proc?.output() ?? '';
  }
}

export interface BirdRoute {
  readonly net: string;
  readonly head: string;
  readonly attrs: Record<string, string>;
}
