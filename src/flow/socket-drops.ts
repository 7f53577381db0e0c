// Kernel-side loss of our UDP listeners, read from /proc/net/udp and /proc/net/udp6 (Linux, proc(5)):
// the `drops` column counts datagrams the kernel discarded for a socket since it was created, mostly
// because its receive queue (SO_RCVBUF) was full — the data we never saw. Pure: text in, rows out.
//
// Line format (net/ipv4/udp.c udp4_format_sock, net/ipv6/datagram.c __ip6_dgram_sock_seq_show):
//   sl  local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
// Addresses are the in-memory 32-bit words printed with %08X, so on a little-endian host each word's
// bytes come out reversed (127.0.0.1 → 0100007F); the port is printed in host order (%04X of ntohs).
import ipaddr from 'ipaddr.js';

export interface UdpSocketRow {
  /** Local address as text (IPv4 dotted quad, or IPv6 in full lower-case groups). */
  readonly localAddress: string;
  readonly localPort: number;
  /** Bytes waiting in the receive queue now. */
  readonly rxQueueBytes: number;
  readonly inode: number;
  /** Datagrams the kernel dropped for this socket since it was created. */
  readonly drops: number;
  /** The socket has a remote peer (connect()ed): not a listener. */
  readonly connected: boolean;
}

export type Endianness = 'LE' | 'BE';

/** Decodes one %08X-per-word address field (8 hex digits for IPv4, 32 for IPv6). */
export function decodeProcAddress(hexText: string, endianness: Endianness): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hexText) || (hexText.length !== 8 && hexText.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hexText.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hexText.slice(w + i, w + i + 2), 16));
    bytes.push(...(endianness === 'LE' ? word.reverse() : word));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** Parses the whole text of /proc/net/udp or /proc/net/udp6; lines that do not parse are skipped. */
export function parseProcNetUdp(text: string, endianness: Endianness): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // sl local rem st queues timer retrnsmt uid timeout inode ref pointer drops = 13 fields
    if (f.length < 13 || !/^\d+:$/.test(f[0] ?? '')) continue;
    const [addrHex, portHex] = (f[1] ?? '').split(':');
    const rx = (f[4] ?? '').split(':')[1];
    const address = decodeProcAddress(addrHex ?? '', endianness);
    const port = parseInt(portHex ?? '', 16);
    const inode = Number(f[9]);
    const drops = Number(f[12]);
    if (address === undefined || !Number.isInteger(port) || rx === undefined) continue;
    if (!Number.isSafeInteger(inode) || !Number.isSafeInteger(drops)) continue;
    const connected = !/^0+:0+$/.test(f[2] ?? '');
    rows.push({
      localAddress: address,
      localPort: port,
      rxQueueBytes: parseInt(rx, 16),
      inode,
      drops,
      connected,
    });
  }
  return rows;
}

/** One text form per address ("::1" and the /proc form "0:0:0:0:0:0:0:1" compare equal). */
export function canonicalAddress(address: string): string {
  try {
    return ipaddr.parse(address).toNormalizedString();
  } catch {
    return address;
  }
}

export interface ListenerKey {
  readonly address: string;
  readonly port: number;
}

export interface ListenerDrops {
  readonly drops: number;
  readonly rxQueueBytes: number;
  /** Sockets that matched: 0 means the listener was not found (closed, or not Linux). */
  readonly sockets: number;
}

/**
 * Drops per listener: rows with the listener's local address and port, restricted to sockets this
 * process owns (`ownInodes`, from /proc/self/fd) when that set is given, so another process bound to
 * the same port with SO_REUSEPORT is never counted as ours.
 */
export function listenerDrops(
  rows: readonly UdpSocketRow[],
  listeners: readonly ListenerKey[],
  ownInodes?: ReadonlySet<number>,
): ListenerDrops[] {
  return listeners.map((l) => {
    const want = canonicalAddress(l.address);
    let drops = 0;
    let rxQueueBytes = 0;
    let sockets = 0;
    for (const r of rows) {
      if (r.localPort !== l.port || canonicalAddress(r.localAddress) !== want) continue;
      if (ownInodes && !ownInodes.has(r.inode)) continue;
      drops += r.drops;
      rxQueueBytes += r.rxQueueBytes;
      sockets++;
    }
    return { drops, rxQueueBytes, sockets };
  });
}

/** Socket inodes from the targets of /proc/self/fd/* links ("socket:[12345]"). */
export function socketInodes(linkTargets: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const t of linkTargets) {
    const m = /^socket:\[(\d+)\]$/.exec(t);
    if (m) out.add(Number(m[1]));
  }
  return out;
}
