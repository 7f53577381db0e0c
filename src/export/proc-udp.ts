// Kernel receive drops of this process's UDP listening sockets, from /proc/net/udp and /proc/net/udp6
// (Linux proc(5): `sl local_address rem_address st tx_queue:rx_queue … inode ref pointer drops`), matched
// to our sockets by inode through /proc/self/fd. The collector's datagram counters cannot see these:
// a datagram the kernel dropped for a full receive buffer never reaches the process.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface UdpSocketRow {
  /** Local address:port as text, e.g. 127.0.0.1:2055 or [::1]:6343. */
  readonly local: string;
  readonly connected: boolean;
  readonly rxQueueBytes: number;
  readonly inode: number;
  readonly drops: number;
}

/** Host-order 32-bit hex words (little-endian on x86 and arm64) → bytes in network order. */
function hexWordsToBytes(hex: string, littleEndian: boolean): number[] {
  const out: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    const bytes = [0, 2, 4, 6].map((i) => parseInt(word.slice(i, i + 2), 16));
    out.push(...(littleEndian ? bytes.reverse() : bytes));
  }
  return out;
}

function formatAddress(hex: string, littleEndian: boolean): string {
  const [addr = '', port = '0'] = hex.split(':');
  const b = hexWordsToBytes(addr, littleEndian);
  const p = parseInt(port, 16);
  if (b.length === 4) return `${b.join('.')}:${p}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  // shortest form is not needed for a label; collapse the longest zero run for readability
  const text = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  return `[${text}]:${p}`;
}

/** Parses the text of /proc/net/udp or /proc/net/udp6. Malformed lines are skipped. */
export function parseProcNetUdp(text: string, littleEndian = true): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const [, local = '', rem = '', , queues = '0:0'] = f;
    const inode = Number(f[9]);
    const drops = Number(f[12]);
    if (!Number.isFinite(inode) || !Number.isFinite(drops)) continue;
    rows.push({
      local: formatAddress(local, littleEndian),
      connected: !/^0+:0+$/.test(rem),
      rxQueueBytes: parseInt(queues.split(':')[1] ?? '0', 16),
      inode,
      drops,
    });
  }
  return rows;
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
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const out: UdpSocketRow[] = [];
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const r of parseProcNetUdp(text, le)) if (mine.has(r.inode) && !r.connected) out.push(r);
  }
  return out;
}
