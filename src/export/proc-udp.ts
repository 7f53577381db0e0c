// Kernel receive drops of this process's UDP listening sockets, from /proc/net/udp and /proc/net/udp6
// (Linux proc(5): `sl local_address rem_address st tx_queue:rx_queue … inode ref pointer drops`), matched
// to our sockets by inode through /proc/self/fd. The collector's datagram counters cannot see these:
// a datagram the kernel dropped for a full receive buffer never reaches the process.
import { endianness } from 'node:os';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { parseProcNetUdp as parseRows } from '../flow/socket-drops.js';

export interface UdpSocketRow {
  /** Local address:port as text, e.g. 127.0.0.1:2055 or [::1]:6343. */
  readonly local: string;
  readonly connected: boolean;
  readonly rxQueueBytes: number;
  readonly inode: number;
  readonly drops: number;
}

/** Parses the text of /proc/net/udp or /proc/net/udp6 (src/flow/socket-drops.ts) into metric rows. */
export function parseProcNetUdp(text: string, littleEndian = true): UdpSocketRow[] {
  return parseRows(text, littleEndian ? 'LE' : 'BE').map((r) => {
    const addr = r.localAddress.includes(':')
      ? `[${ipaddr.parse(r.localAddress).toString()}]`
      : r.localAddress;
    return {
      local: `${addr}:${r.localPort}`,
      connected: r.connected,
      rxQueueBytes: r.rxQueueBytes,
      inode: r.inode,
      drops: r.drops,
    };
  });
}

/** Inodes of every socket this process holds open. */
function ownSocketInodes(): Set<number> {
  const out = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      /* fd closed meanwhile */
    }
  }
  return out;
}

/** This process's unconnected (listening) UDP sockets with their drop counters; [] off Linux. */
export function ownUdpListeners(): UdpSocketRow[] {
  const mine = ownSocketInodes();
  if (mine.size === 0) return [];
  const out: UdpSocketRow[] = [];
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const r of parseProcNetUdp(text, endianness() === 'LE'))
      if (mine.has(r.inode) && !r.connected) out.push(r);
  }
  return out;
}
