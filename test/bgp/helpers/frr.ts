// A real FRR bgpd as the receiving router (RIG.md §5), run WITHOUT zebra (-Z) and with -n, so it can never
// program this machine's FIB; private vty socket dir owned by frr, no TCP vty, listens on 127.0.30.x:1179.
import { chownSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
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

export interface FrrOptions {
  readonly address: string;
  readonly asn: number;
  readonly peerAddress: string;
  readonly peerAs: number;
}

export class Frr {
  private proc: Proc | undefined;
  readonly dir: string;
  constructor(readonly o: FrrOptions) {
    requireBinary('/usr/lib/frr/bgpd', 'frr');
    requireBinary('/usr/bin/vtysh', 'frr');
    this.dir = tempDir('frr');
  }

  async start(): Promise<void> {
    const n = this.o.peerAddress;
    const conf = [
      'hostname floodgate-test-frr',
      `log file ${join(this.dir, 'bgpd.log')}`,
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
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'bgpd.conf'), conf);
    const uid = Number(execFileSync('id', ['-u', 'frr']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'frr']).toString().trim());
    chownSync(this.dir, uid, gid);
    chownSync(join(this.dir, 'bgpd.conf'), uid, gid);
    this.proc = startProcess('/usr/lib/frr/bgpd', [
      '-Z',
      '-n',
      '-f',
      join(this.dir, 'bgpd.conf'),
      '-i',
      join(this.dir, 'bgpd.pid'),
      '--vty_socket',
      this.dir,
      '-A',
      '127.0.0.1',
      '-P',
      '0',
      '-p',
      '1179',
      '-l',
      this.o.address,
      '-u',
      'frr',
      '-g',
      'frr',
    ]);
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

  async waitEstablished(timeoutMs = 20000): Promise<void> {
    await waitFor(
      `FRR ${this.o.address} Established`,
      async () => ((await this.established()) ? true : undefined),
      timeoutMs,
      200,
    );
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

  async stop(): Promise<void> {
    await stopProcess(this.proc);
    this.proc = undefined;
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

  async close(): Promise<void> {
    await this.stop();
    removeDir(this.dir);
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
