// FRR (zebra, staticd, pbrd, bgpd) and its receiving gobgpd inside a network namespace the test creates:
// zebra programs that namespace's kernel only, never the host FIB (RIG.md §5 gotchas 3/4). zebra
// ignores 127/8 addresses, so the namespace's lo carries 100.64.40.1 (receiver) and 100.64.40.4 (FRR);
// vtysh and the receiver's gRPC use unix sockets, reachable from the host namespace.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Daemon, requireBinary } from '../daemon.js';
import { waitFor } from '../wait.js';
import { FRR_DIR, giveToFrr, startFrrDaemon, writeFrrConf } from './frr.js';

export const FRR_LOCAL = '100.64.40.4';
export const FRR_PEER = '100.64.40.1';

function ip(args: string[]): void {
  execFileSync('/usr/sbin/ip', args, { stdio: 'pipe' });
}

export function createNetns(name: string): void {
  ip(['netns', 'add', name]);
  ip(['-n', name, 'link', 'set', 'lo', 'up']);
  for (const a of [`${FRR_PEER}/32`, `${FRR_LOCAL}/32`]) ip(['-n', name, 'addr', 'add', a, 'dev', 'lo']);
  for (const a of ['fd00:40::1/128', 'fd00:40::4/128'])
    ip(['-n', name, 'addr', 'add', a, 'dev', 'lo', 'nodad']);
  // an interface to hang the pbr-map on
  ip(['-n', name, 'link', 'add', 'fgpbr0', 'type', 'veth', 'peer', 'name', 'fgpbr1']);
  ip(['-n', name, 'link', 'set', 'fgpbr0', 'up']);
  ip(['-n', name, 'link', 'set', 'fgpbr1', 'up']);
}

export function deleteNetns(name: string): void {
  try {
    ip(['netns', 'del', name]);
  } catch {
    /* already gone */
  }
}

export function netnsOutput(name: string, args: string[]): string {
  return execFileSync('/usr/sbin/ip', ['-n', name, ...args], { encoding: 'utf8' });
}

export interface FrrDaemons {
  readonly daemons: readonly Daemon[];
  stop(): Promise<void>;
}

export async function startFrr(opts: { dir: string; netns: string; asn: number }): Promise<FrrDaemons> {
  for (const d of ['zebra', 'staticd', 'pbrd', 'bgpd']) requireBinary(join(FRR_DIR, d), 'frr');
  requireBinary('/usr/bin/vtysh', 'frr');
  const conf = (name: string, extra: string[]) => writeFrrConf(opts.dir, name, `fgad-${name}`, extra);
  conf('zebra', ['no zebra nexthop kernel enable']);
  conf('staticd', []);
  conf('pbrd', []);
  conf('bgpd', [
    `router bgp ${opts.asn}`,
    ' bgp router-id 10.255.40.4',
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ` neighbor ${FRR_PEER} remote-as ${opts.asn}`,
    ` neighbor ${FRR_PEER} port 1179`,
    ` neighbor ${FRR_PEER} update-source ${FRR_LOCAL}`,
    ` neighbor ${FRR_PEER} timers 3 9`,
    ` neighbor ${FRR_PEER} timers connect 2`,
    ' address-family ipv4 unicast',
    `  neighbor ${FRR_PEER} activate`,
    ' exit-address-family',
    ' address-family ipv6 unicast',
    `  neighbor ${FRR_PEER} activate`,
    ' exit-address-family',
    'exit',
  ]);
  giveToFrr(opts.dir);
  const daemons: Daemon[] = [];
  const start = (name: 'zebra' | 'staticd' | 'pbrd' | 'bgpd', extra: string[]): void => {
    daemons.push(startFrrDaemon(opts.dir, name, ['-z', join(opts.dir, 'zserv.api'), ...extra], opts.netns));
  };
  start('zebra', []);
  await waitFor(
    'zebra vty socket',
    () => execOk(['--vty_socket', opts.dir, '-d', 'zebra', '-c', 'show version']) || undefined,
    15_000,
  );
  start('staticd', []);
  start('pbrd', []);
  // -n: bgpd never installs routes (RIG.md §5 gotcha 3), even inside the namespace
  start('bgpd', ['-n', '-p', '1179', '-l', FRR_LOCAL]);
  await waitFor(
    'bgpd vty socket',
    () => execOk(['--vty_socket', opts.dir, '-d', 'bgpd', '-c', 'show version']) || undefined,
    15_000,
  );
  return {
    daemons,
    // zebra first: zebra 8.4 aborts when bgpd leaves before it (RIG.md §5 gotcha 7)
    async stop() {
      for (const d of daemons) await d.stop();
    },
  };
}

function execOk(args: string[]): boolean {
  try {
    const out = execFileSync('/usr/bin/vtysh', args, { encoding: 'utf8', stdio: 'pipe', timeout: 5000 });
    return !/not running|failed/i.test(out);
  } catch {
    return false;
  }
}
