// FRR for the tests (RIG.md §5): each daemon with a config file and log in a temp dir owned by frr, a
// private vty socket dir, no TCP vty. Two roles: a lone bgpd as the receiving router of floodgate's own
// speaker (`Frr`: WITHOUT zebra (-Z) and with -n, so it can never program this machine's FIB, listening on
// 127.0.30.x:1179), and the adapter's FRR with zebra, staticd and pbrd inside a network namespace the test
// creates (`startFrr`, in frr-netns.ts). One config header, ownership and argument list for both.
import { chmodSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Daemon, run, startDaemon } from '../daemon.js';
import { ReceivingRouter } from './receiving-router.js';
import { waitFor } from '../wait.js';

export const FRR_DIR = '/usr/lib/frr';

/** Writes `dir`/`name`.conf: hostname, log file, then `lines`. */
export function writeFrrConf(dir: string, name: string, hostname: string, lines: readonly string[]): string {
  const f = join(dir, `${name}.conf`);
  writeFileSync(f, [`hostname ${hostname}`, `log file ${join(dir, `${name}.log`)}`, ...lines, ''].join('\n'));
  return f;
}

/** The daemons run as frr: the dir (configs, logs, vty sockets) must be theirs. */
export function giveToFrr(dir: string): void {
  execFileSync('/usr/bin/chown', ['-R', 'frr:frr', dir]);
  chmodSync(dir, 0o755);
}

/** Starts FRR daemon `name` on `dir`/`name`.conf with its vty socket in `dir`, no TCP vty, as frr. */
export function startFrrDaemon(dir: string, name: string, extra: readonly string[], netns?: string): Daemon {
  const args = [
    '-f',
    join(dir, `${name}.conf`),
    '-i',
    join(dir, `${name}.pid`),
    '--vty_socket',
    dir,
    '-A',
    '127.0.0.1',
    '-P',
    '0',
    '-u',
    'frr',
    '-g',
    'frr',
    ...extra,
  ];
  const bin = join(FRR_DIR, name);
  const log = join(dir, `${name}.stdout`);
  return netns
    ? startDaemon('/usr/sbin/ip', ['netns', 'exec', netns, bin, ...args], log)
    : startDaemon(bin, args, log);
}

export interface FrrOptions {
  readonly address: string;
  readonly asn: number;
  readonly peerAddress: string;
  readonly peerAs: number;
}

/** A lone bgpd as the receiving router of floodgate's own speaker, read with vtysh. */
export class Frr extends ReceivingRouter {
  constructor(readonly o: FrrOptions) {
    super('frr', [
      [join(FRR_DIR, 'bgpd'), 'frr'],
      ['/usr/bin/vtysh', 'frr'],
    ]);
  }

  protected get label(): string {
    return `FRR ${this.o.address}`;
  }

  async start(): Promise<void> {
    const n = this.o.peerAddress;
    writeFrrConf(this.dir, 'bgpd', 'floodgate-test-frr', [
      `router bgp ${this.o.asn}`,
      ` bgp router-id ${this.o.address.replace(/^127\./, '10.')}`,
      ' no bgp ebgp-requires-policy',
      ' no bgp default ipv4-unicast',
      ` neighbor ${n} remote-as ${this.o.peerAs}`,
      ` neighbor ${n} passive`,
      ` neighbor ${n} disable-connected-check`,
      ...['ipv4 unicast', 'ipv6 unicast', 'ipv4 flowspec', 'ipv6 flowspec'].flatMap((f) => [
        ` address-family ${f}`,
        `  neighbor ${n} activate`,
        ' exit-address-family',
      ]),
      'exit',
    ]);
    giveToFrr(this.dir);
    this.daemon = startFrrDaemon(this.dir, 'bgpd', ['-Z', '-n', '-p', '1179', '-l', this.o.address]);
    await waitFor(
      'FRR bgpd vty',
      async () => (await this.vtysh('show bgp summary json')).includes('{') || undefined,
      20000,
      200,
    );
  }

  async vtysh(cmd: string): Promise<string> {
    const { stdout } = await run('/usr/bin/vtysh', ['--vty_socket', this.dir, '-c', cmd], {
      timeout: 10000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  async established(): Promise<boolean> {
    const s = JSON.parse(await this.vtysh('show bgp neighbors json')) as Record<
      string,
      { bgpState?: string }
    >;
    return s[this.o.peerAddress]?.bgpState === 'Established';
  }

  /** `show bgp ipvX flowspec detail` parsed into entries: component lines + the FS action line. */
  async flowspec(afi: 'ipv4' | 'ipv6'): Promise<FrrFlow[]> {
    const out = await this.vtysh(`show bgp ${afi} flowspec detail`);
    const flows: FrrFlow[] = [];
    let cur: FrrFlow | undefined;
    for (const raw of out.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('BGP flowspec entry')) {
        cur = { lines: [], actions: '' };
        flows.push(cur);
      } else if (cur && line.startsWith('FS:')) cur.actions = line;
      else if (
        cur &&
        line &&
        !/^(received for|not installed|installed in|Displayed|extcommunity|FS:)/.test(line)
      )
        cur.lines.push(line);
    }
    return flows;
  }

  async unicast(afi: 'ipv4' | 'ipv6', prefix: string): Promise<FrrUnicastPath | undefined> {
    const j = JSON.parse(await this.vtysh(`show bgp ${afi} unicast ${prefix} json`)) as {
      paths?: FrrUnicastPath[];
    };
    return j.paths?.[0];
  }

  /** Also the bgpd its pid file names, should it have outlived the process group. */
  override async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await super.stop(signal);
    const pidFile = join(this.dir, 'bgpd.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 0);
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  }
}

export interface FrrFlow {
  lines: string[];
  actions: string;
}

export interface FrrUnicastPath {
  nexthops?: { ip: string }[];
  community?: { string: string };
  largeCommunity?: { string: string };
}
