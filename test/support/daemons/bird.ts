// BIRD 2 for the tests (RIG.md §3), foreground, control socket in a temp dir, flow4/flow6 tables and no
// kernel protocol (never touches the host FIB). Two roles: the receiving router of floodgate's own speaker
// (`Bird`, strict bind on its 127.0.30.x:1179) and the adapter's BIRD that exports the adapter's static
// protocols to the interop receiver (`startBird`). One config skeleton and one start for both.
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, requireBinary, run, startDaemon } from '../daemon.js';
import { ReceivingRouter } from './receiving-router.js';
import { waitFor } from '../wait.js';

/** Writes `dir`/bird.conf: log file, router id, the flow tables, `include`, then one BGP protocol. */
function writeBirdConf(dir: string, routerId: string, include: string, bgp: readonly string[]): string {
  const conf = join(dir, 'bird.conf');
  writeFileSync(
    conf,
    [
      `log "${join(dir, 'bird.log')}" all;`,
      `router id ${routerId};`,
      'flow4 table flowtab4;',
      'flow6 table flowtab6;',
      'protocol device { }',
      `include "${include}";`,
      ...bgp,
      '',
    ].join('\n'),
  );
  return conf;
}

/** birdc on the control socket `socket`: its standard output. */
export async function birdc(socket: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('/usr/sbin/birdc', ['-s', socket, ...args], {
    timeout: 10000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** BIRD in the foreground on `conf`, control socket `socket`, pid file and stdout in `dir`. */
export function startBirdDaemon(dir: string, conf: string, socket: string): Daemon {
  requireBinary('/usr/sbin/bird', 'bird2');
  requireBinary('/usr/sbin/birdc', 'bird2');
  return startDaemon(
    '/usr/sbin/bird',
    ['-f', '-c', conf, '-s', socket, '-P', join(dir, 'bird.pid')],
    join(dir, 'bird.stdout'),
  );
}

/** The adapter's BIRD: a BGP session to the receiver exporting only the adapter's static protocols. */
export function startBird(opts: {
  dir: string;
  local: string;
  peer: string;
  asn: number;
  include: string;
  socket: string;
}): Daemon {
  const conf = writeBirdConf(opts.dir, '10.255.40.3', opts.include, [
    'protocol bgp to_receiver {',
    `  local ${opts.local} port 1179 as ${opts.asn};`,
    '  strict bind on;',
    `  neighbor ${opts.peer} port 1179 as ${opts.asn};`,
    '  connect retry time 2;',
    '  hold time 9;',
    '  ipv4 { import none; export where proto = "floodgate_rtbh4"; next hop keep; };',
    '  ipv6 { import none; export where proto = "floodgate_rtbh6"; next hop keep; };',
    '  flow4 { table flowtab4; import none; export where proto = "floodgate_flow4"; };',
    '  flow6 { table flowtab6; import none; export where proto = "floodgate_flow6"; };',
    '}',
  ]);
  return startBirdDaemon(opts.dir, conf, opts.socket);
}

export interface BirdOptions {
  readonly address: string;
  readonly asn: number;
  readonly peerAddress: string;
  readonly peerAs: number;
}

/** The receiving router of floodgate's own speaker: passive, imports everything, read with birdc. */
export class Bird extends ReceivingRouter {
  constructor(readonly o: BirdOptions) {
    super('bird', [['/usr/sbin/bird', 'bird2']]);
  }

  protected get label(): string {
    return `BIRD ${this.o.address}`;
  }

  private get ctl(): string {
    return join(this.dir, 'bird.ctl');
  }

  async start(): Promise<void> {
    writeFileSync(join(this.dir, 'static.conf'), '');
    const conf = writeBirdConf(
      this.dir,
      this.o.address.replace(/^127\./, '10.'),
      join(this.dir, 'static.conf'),
      [
        'protocol bgp peer {',
        `  local ${this.o.address} port 1179 as ${this.o.asn};`,
        '  strict bind on;',
        `  neighbor ${this.o.peerAddress} as ${this.o.peerAs};`,
        '  passive on;',
        '  multihop;',
        '  hold time 90;',
        '  ipv4 { import all; export none; };',
        '  ipv6 { import all; export none; };',
        '  flow4 { table flowtab4; import all; export all; };',
        '  flow6 { table flowtab6; import all; export all; };',
        '}',
      ],
    );
    this.daemon = startBirdDaemon(this.dir, conf, this.ctl);
    await waitFor(
      'bird control socket',
      async () => (await this.birdc(['show', 'status'])).includes('Daemon is up') || undefined,
      15000,
      200,
    );
  }

  birdc(args: readonly string[]): Promise<string> {
    return birdc(this.ctl, args);
  }

  async established(): Promise<boolean> {
    return /BGP state:\s+Established/.test(await this.birdc(['show', 'protocols', 'all', 'peer']));
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
}

export interface BirdRoute {
  readonly net: string;
  readonly head: string;
  readonly attrs: Record<string, string>;
}
