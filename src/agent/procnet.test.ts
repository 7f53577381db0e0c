// /proc/net/dev and /proc/net/snmp parsers on text in the kernel's format, rates, and `floodgate agent` on
// this machine's real /proc while a bounded burst of UDP datagrams crosses the loopback (127.22.0.0/16).
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { runAgent } from '../cli/commands/agent.js';
import { parseNetDev, parseNetSnmp, perSecond, ProcParseError, rates, type HostRates } from './procnet.js';

const DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 2568776580 1280108    0    0    0     0          0         0 2568776580 1280108    0    0    0     0       0          0
  eth0: 9007199254740000 42 1 2 0 0 0 3 500 5 0 0 0 0 0 0
`;
const SNMP = `Ip: Forwarding DefaultTTL InReceives InDiscards
Ip: 2 64 1296972 7
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors
Udp: 688624 31333 184065 903570 184065
`;

describe('procnet parsers', () => {
  it('reads every interface counter, 64-bit values included', () => {
    const d = parseNetDev(DEV);
    expect([...d.keys()]).toEqual(['lo', 'eth0']);
    expect(d.get('lo')).toMatchObject({ rxBytes: 2568776580, rxPackets: 1280108, txPackets: 1280108 });
    expect(d.get('eth0')).toMatchObject({
      rxBytes: 9007199254740000,
      rxErrs: 1,
      rxDrop: 2,
      rxMulticast: 3,
      txBytes: 500,
    });
  });

  it('pairs the snmp name and value lines per protocol', () => {
    expect(parseNetSnmp(SNMP)).toEqual({
      Ip: { Forwarding: 2, DefaultTTL: 64, InReceives: 1296972, InDiscards: 7 },
      Udp: {
        InDatagrams: 688624,
        NoPorts: 31333,
        InErrors: 184065,
        OutDatagrams: 903570,
        RcvbufErrors: 184065,
      },
    });
  });

  it('refuses malformed text with the line and the reason', () => {
    expect(() => parseNetDev('h\nh\n lo 1 2 3\n')).toThrow(ProcParseError);
    expect(() => parseNetDev('h\nh\n lo: 1 2 3\n')).toThrow(/line 3: expected 16 counters/);
    expect(() => parseNetSnmp('Ip: A B\nIp: 1\n')).toThrow(/do not pair up/);
    expect(() => parseNetSnmp('Ip: A B\n')).toThrow(/odd number/);
  });

  it('turns two readings into per-second rates; a reset counter rates 0', () => {
    expect(perSecond({ a: 100, b: 50 }, { a: 300, b: 10, c: 1 }, 2000)).toEqual({ a: 100, b: 0 });
    const prev = { at: 0, dev: parseNetDev(DEV), snmp: parseNetSnmp(SNMP) };
    const cur = {
      at: 500,
      dev: parseNetDev(DEV.replace('1280108    0', '1280208    0')),
      snmp: parseNetSnmp(SNMP.replace('688624', '688674')),
    };
    const r = rates(prev, cur);
    expect(r.seconds).toBe(0.5);
    expect(r.interfaces.lo!.rxPackets).toBe(200);
    expect(r.snmp.Udp!.InDatagrams).toBe(100);
  });
});

describe('floodgate agent on this host', () => {
  it('shows a loopback UDP burst in lo packets and Udp InDatagrams per second', async () => {
    const rx = createSocket('udp4');
    await new Promise<void>((r) => rx.bind(0, '127.22.0.20', () => r()));
    let got = 0;
    rx.on('message', () => got++);
    const tx = createSocket('udp4');
    await new Promise<void>((r) => tx.bind(0, '127.22.0.21', () => r()));
    const out: string[] = [];
    const err: string[] = [];
    const agent = runAgent(
      { interval: '1500', count: '1', json: true, interface: 'lo' },
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
    const BURST = 300; // bounded: 300 datagrams of 100 bytes on loopback
    await new Promise((r) => setTimeout(r, 200));
    for (let k = 0; k < BURST; k++) tx.send(Buffer.alloc(100), rx.address().port, '127.22.0.20');
    expect(await agent).toBe(0);
    tx.close();
    rx.close();
    expect(err).toEqual([]);
    const r = JSON.parse(out[0]!) as HostRates;
    expect(Object.keys(r.interfaces)).toEqual(['lo']);
    // other tests share the machine: at least our burst, never less
    // rate × seconds gives back a count up to floating-point rounding (255.99999999999997 for 256)
    expect(Math.round(r.interfaces.lo!.rxPackets! * r.seconds)).toBeGreaterThanOrEqual(BURST);
    expect(Math.round(r.snmp.Udp!.InDatagrams! * r.seconds)).toBeGreaterThanOrEqual(got);
    expect(got).toBeGreaterThan(BURST / 2); // most arrived (the rest count as rcvbuf errors)
  }, 30_000);

  it('refuses a bad interval', async () => {
    const err: string[] = [];
    expect(await runAgent({ interval: '5' }, { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err[0]).toContain('--interval');
  });
});
