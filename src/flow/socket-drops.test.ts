import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  decodeProcAddress,
  listenerDrops,
  parseProcNetUdp,
  socketInodes,
} from './socket-drops.js';

// Captured shapes of /proc/net/udp and /proc/net/udp6 on x86-64 (little-endian), trailing spaces kept.
const UDP4 = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
  862: 02000E7F:BA18 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 140085 2 00000000e9e911a7 0        
 1068: 0100157F:0807 00000000:0000 07 00000000:00002400 00:00000000 00000000     0        0 114707 2 00000000a6101ba0 1742     
 1069: 00000000:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 114708 2 00000000a6101ba1 5        
 garbage line that is not a socket
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000000000000000000001000000:1808 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2001 2 0000000000000000 3
  101: B80D0120000000000000000001000000:1808 00000000000000000000000000000000:0000 07 00000000:00000100 00:00000000 00000000     0        0 2002 2 0000000000000000 99
`;

describe('/proc/net/udp parsing', () => {
  it('decodes little- and big-endian address words', () => {
    expect(decodeProcAddress('0100007F', 'LE')).toBe('127.0.0.1');
    expect(decodeProcAddress('7F000001', 'BE')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000000000000000000001000000', 'LE')).toBe('0:0:0:0:0:0:0:1');
    expect(decodeProcAddress('B80D0120000000000000000001000000', 'LE')).toBe('2001:db8:0:0:0:0:0:1');
    expect(decodeProcAddress('7F00001', 'LE')).toBeUndefined();
    expect(decodeProcAddress('ZZ00007F', 'LE')).toBeUndefined();
  });

  it('reads address, port, receive queue, inode and drops of every socket line', () => {
    const rows = parseProcNetUdp(UDP4, 'LE');
    expect(rows).toEqual([
      {
        localAddress: '127.14.0.2',
        localPort: 0xba18,
        rxQueueBytes: 0,
        inode: 140085,
        drops: 0,
        connected: false,
      },
      {
        localAddress: '127.21.0.1',
        localPort: 2055,
        rxQueueBytes: 0x2400,
        inode: 114707,
        drops: 1742,
        connected: false,
      },
      {
        localAddress: '0.0.0.0',
        localPort: 2055,
        rxQueueBytes: 0,
        inode: 114708,
        drops: 5,
        connected: false,
      },
    ]);
    expect(parseProcNetUdp(UDP6, 'LE').map((r) => [r.localAddress, r.localPort, r.drops])).toEqual([
      ['0:0:0:0:0:0:0:1', 6152, 3],
      ['2001:db8:0:0:0:0:0:1', 6152, 99],
    ]);
    expect(parseProcNetUdp('', 'LE')).toEqual([]);
  });

  it('attributes drops to a listener by exact local address and port, and to our own sockets only', () => {
    const rows = [...parseProcNetUdp(UDP4, 'LE'), ...parseProcNetUdp(UDP6, 'LE')];
    const listeners = [
      { address: '127.21.0.1', port: 2055 },
      { address: '0.0.0.0', port: 2055 },
      { address: '::1', port: 6152 },
      { address: '127.21.0.9', port: 2055 },
    ];
    expect(listenerDrops(rows, listeners)).toEqual([
      { drops: 1742, rxQueueBytes: 0x2400, sockets: 1 },
      { drops: 5, rxQueueBytes: 0, sockets: 1 },
      { drops: 3, rxQueueBytes: 0, sockets: 1 },
      { drops: 0, rxQueueBytes: 0, sockets: 0 },
    ]);
    // the 127.21.0.1 socket belongs to another process: not ours, not counted
    expect(listenerDrops(rows, listeners.slice(0, 1), new Set([114708]))).toEqual([
      { drops: 0, rxQueueBytes: 0, sockets: 0 },
    ]);
  });

  it('collects socket inodes from /proc/self/fd link targets', () => {
    expect([...socketInodes(['socket:[114707]', 'pipe:[5]', '/dev/null', 'socket:[9]'])]).toEqual([
      114707, 9,
    ]);
  });

  it('compares IPv6 forms canonically', () => {
    expect(canonicalAddress('::1')).toBe('0:0:0:0:0:0:0:1');
    expect(canonicalAddress('2001:DB8::1')).toBe(canonicalAddress('2001:db8:0:0:0:0:0:1'));
    expect(canonicalAddress('127.0.0.1')).toBe('127.0.0.1');
  });
});
