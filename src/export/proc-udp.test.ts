// /proc/net/udp parsing (vectors) and, on Linux, real kernel drops on a socket of this process.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ownUdpListeners, parseProcNetUdp } from './proc-udp.js';

const UDP4 = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:0807 00000000:0000 07 00000000:00000A00 00:00000000 00000000     0        0 4242 2 0000000000000000 17
  124: 0100007F:9C40 0200007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 0
  garbage line
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
   5: 00000000000000000000000001000000:18BF 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 3
`;

describe('parseProcNetUdp', () => {
  it('reads address, port, connectedness, receive queue, inode and drops (little-endian host)', () => {
    expect(parseProcNetUdp(UDP4)).toEqual([
      { local: '127.0.0.1:2055', connected: false, rxQueueBytes: 2560, inode: 4242, drops: 17 },
      { local: '127.0.0.1:40000', connected: true, rxQueueBytes: 0, inode: 4243, drops: 0 },
    ]);
    expect(parseProcNetUdp(UDP6)).toEqual([
      { local: '[::1]:6335', connected: false, rxQueueBytes: 0, inode: 99, drops: 3 },
    ]);
  });
});

describe.runIf(existsSync('/proc/net/udp'))('ownUdpListeners (Linux)', () => {
  it('sees the kernel drop datagrams on a small receive buffer while this process is busy', async () => {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4096 });
    await new Promise<void>((r) => s.bind(0, '127.15.0.1', () => r()));
    const port = s.address().port;
    const mine = () => ownUdpListeners().find((r) => r.local === `127.15.0.1:${port}`);
    try {
      expect(mine()).toMatchObject({ drops: 0 });
      // a bounded burst (2000 × 1000 B to this socket only) from another process while our loop is blocked
      const child = spawn(process.execPath, [
        '-e',
        `const s=require('dgram').createSocket('udp4');const b=Buffer.alloc(1000);let n=0;` +
          `function f(){for(let i=0;i<100;i++)s.send(b,${port},'127.15.0.1');if((n+=100)<2000)setImmediate(f);else setTimeout(()=>s.close(),200);}` +
          `console.log('ready');setTimeout(f,200);`,
      ]);
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => child.stdout.once('data', r));
      // the burst starts 200 ms after "ready" and takes well under a second; we do not read meanwhile
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        /* keep the event loop from reading the socket */
      }
      await exited;
      expect(mine()!.drops).toBeGreaterThan(0);
    } finally {
      s.close();
    }
  });
});
