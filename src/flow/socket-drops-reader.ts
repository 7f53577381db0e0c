// Reads /proc/net/udp{,6} and /proc/self/fd for socket-drops.ts (the I/O half). Linux only: elsewhere,
// or when /proc is not readable, it answers undefined and the drops stay unknown rather than zero.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';
import {
  listenerDrops,
  parseProcNetUdp,
  socketInodes,
  type ListenerDrops,
  type ListenerKey,
} from './socket-drops.js';

function ownSocketInodes(): Set<number> | undefined {
  try {
    const targets: string[] = [];
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        targets.push(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        // closed between readdir and readlink
      }
    }
    return socketInodes(targets);
  } catch {
    return undefined;
  }
}

export function readListenerDrops(listeners: readonly ListenerKey[]): ListenerDrops[] | undefined {
  if (process.platform !== 'linux' || listeners.length === 0) return undefined;
  let text = '';
  let any = false;
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      text += readFileSync(f, 'latin1');
      any = true;
    } catch {
      // no IPv6 in this kernel: the other file still counts
    }
  }
  if (!any) return undefined;
  return listenerDrops(parseProcNetUdp(text, endianness()), listeners, ownSocketInodes());
}
