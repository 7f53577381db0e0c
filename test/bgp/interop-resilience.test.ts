// Resilience against a real gobgpd: the peer restarts, the TCP connection is cut mid-UPDATE, the peer
// (through a proxy) sends a malformed UPDATE, the peer sends a NOTIFICATION. Each time the session comes
// back and gobgpd again holds exactly the rules we hold: nothing duplicated, nothing left behind.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { fromHex } from '../../src/bgp/codec/bytes.js';
import { formatFlowSpec } from '../../src/flowspec/index.js';
import type { Rule } from '../../src/domain/rule.js';
import { Gobgpd } from '../support/daemons/gobgpd.js';
import { waitFor } from '../support/wait.js';
import { freeTcpPort } from '../e2e/support-sflow.js';
import { rule } from '../support/rules.js';

/** TCP proxy floodgate → gobgpd that can cut the stream after N bytes or inject bytes towards floodgate. */
class Proxy {
  server = net.createServer((c) => this.onConn(c));
  port = 0;
  cutAfter = Infinity;
  private forwarded = 0;
  private client: net.Socket | undefined;
  private upstream: net.Socket | undefined;
  constructor(private readonly target: { host: string; port: number; localAddress: string }) {}
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.30.1', () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  private onConn(c: net.Socket): void {
    const up = net.connect({
      host: this.target.host,
      port: this.target.port,
      localAddress: this.target.localAddress,
    });
    this.client = c;
    this.upstream = up;
    this.forwarded = 0;
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
    up.on('data', (d) => c.write(d));
    c.on('data', (d: Buffer) => {
      const room = this.cutAfter - this.forwarded;
      if (room <= d.length) {
        up.write(d.subarray(0, Math.max(0, room)));
        this.cutAfter = Infinity;
        c.destroy();
        up.destroy();
        return;
      }
      this.forwarded += d.length;
      up.write(d);
    });
  }
  injectToClient(b: Uint8Array): void {
    this.client?.write(b);
  }
  async close(): Promise<void> {
    this.client?.destroy();
    this.upstream?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let g: Gobgpd;
let sp: BgpSpeaker;
let proxy: Proxy;
const held = new Map<string, Rule>();

const mk = (i: number): Rule =>
  rule(`r${i}`, 'drop', `flow4 dst 198.18.${i >> 8}.${i & 255}/32 proto =17 dport =${1000 + (i % 50)}`);

/** gobgp's text RIB. Its output cost grows with (rules)²: each path repeats its UPDATE's whole MP_REACH NLRI list
 * (1,500 rules = 62 MB of JSON, 35 s), so the set here stays at a few hundred. */
async function gobgpSet(): Promise<string[]> {
  const out = await g.cli(['global', 'rib', '-a', 'ipv4-flowspec']);
  return out
    .split('\n')
    .map((l) => /^\*>?\s*(\[destination.*?\])\s+fictitious/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();
}

/** gobgp's display of the rules built by mk(). */
const gobgpText = (r: Rule): string => {
  const m = /dst (\S+) proto =17 dport =(\d+)/.exec(formatFlowSpec(r.match));
  return `[destination: ${m?.[1]}][protocol: ==udp][destination-port: ==${m?.[2]}]`;
};

async function expectExactlyOurs(): Promise<void> {
  const want = [...held.values()].map(gobgpText).sort();
  await waitFor(
    `gobgpd holds exactly our ${want.length} rules`,
    async () => ((await g.ribCount('ipv4-flowspec')) === want.length ? true : undefined),
    30000,
    200,
  );
  const got = await gobgpSet();
  expect(got.length).toBe(want.length);
  expect(got).toEqual(want);
}

function upsert(r: Rule): void {
  held.set(r.id, r);
  expect(sp.upsertRule(r).ok).toBe(true);
}

function withdraw(id: string): void {
  held.delete(id);
  sp.withdrawRule(id);
}

beforeAll(async () => {
  g = new Gobgpd({
    address: '127.0.30.12',
    asn: 65012,
    grpcPort: await freeTcpPort('127.0.0.1'),
    peerAddress: '127.0.30.1',
    peerAs: 65030,
    families: ['ipv4-flowspec'],
  });
  await g.start();
  proxy = new Proxy({ host: '127.0.30.12', port: 1179, localAddress: '127.0.30.1' });
  await proxy.listen();
  sp = new BgpSpeaker({
    routerId: '10.30.0.1',
    localAs: 65030,
    peers: [
      {
        name: 'gobgpd',
        address: '127.0.30.1',
        port: proxy.port,
        localAddress: '127.0.30.1',
        remoteAs: 65012,
        families: ['ipv4-flowspec'],
        connectRetrySeconds: 0.2,
        maxConnectRetrySeconds: 1,
      },
    ],
  });
  await sp.start();
  await g.waitEstablished();
  for (let i = 0; i < 200; i++) upsert(mk(i));
  await expectExactlyOurs();
});

afterAll(async () => {
  await sp?.stop();
  await proxy?.close();
  await g?.close();
});

const flaps = (): number => sp.peersSnapshot()[0]?.counters.flaps ?? 0;

describe('session resilience against gobgpd', () => {
  it('peer restart (SIGKILL) while our rules change: the restarted peer gets exactly the current set', async () => {
    const before = flaps();
    await g.kill();
    await waitFor('we notice', () => (flaps() > before ? true : undefined));
    for (let i = 0; i < 50; i++) withdraw(`r${i}`);
    for (let i = 200; i < 260; i++) upsert(mk(i));
    await g.start();
    await g.waitEstablished(30000);
    await expectExactlyOurs();
  });

  it('TCP connection cut in the middle of the UPDATE burst', async () => {
    const before = flaps();
    proxy.cutAfter = 1_000; // bytes from us: OPEN + KEEPALIVE are ~100, the sync UPDATE ~2.6 kB: the cut lands inside it
    const established = sp.peersSnapshot()[0]?.counters.establishedCount ?? 0;
    // force a full re-send (route refresh would be gobgpd's choice); a flap of our own makes one:
    proxy.injectToClient(fromHex('ffffffffffffffffffffffffffffffff0015030604')); // Cease / admin reset
    await waitFor(
      'session back after the reset',
      () => ((sp.peersSnapshot()[0]?.counters.establishedCount ?? 0) > established + 1 ? true : undefined),
      30000,
    );
    expect(flaps()).toBeGreaterThanOrEqual(before + 2);
    for (let i = 50; i < 80; i++) withdraw(`r${i}`);
    await expectExactlyOurs();
  });

  it('malformed UPDATE from the peer: NOTIFICATION, reset, and the set is whole again', async () => {
    const before = flaps();
    // UPDATE whose MP_REACH_NLRI appears twice: RFC 7606 §3 (g) session reset
    proxy.injectToClient(
      fromHex(
        'ffffffffffffffffffffffffffffffff002b02' +
          '0000' +
          '0014' +
          '40010100' +
          '800e050001850000' +
          '800e050001850000',
      ),
    );
    await waitFor('reset', () => (flaps() > before ? true : undefined));
    expect(sp.peersSnapshot()[0]?.counters.lastNotificationOut).toBe(
      'UPDATE Message Error / Malformed Attribute List (3/1)',
    );
    await g.waitEstablished(30000);
    await expectExactlyOurs();
  });

  it('NOTIFICATION from the peer (gobgp neighbor shutdown: Cease / Administrative Shutdown with an RFC 8203 message)', async () => {
    const before = flaps();
    await g.cli(['neighbor', '127.0.30.1', 'shutdown', '--reason', 'maintenance window']);
    await waitFor('shutdown', () => (flaps() > before ? true : undefined));
    expect(sp.peersSnapshot()[0]?.counters.lastNotificationIn).toBe(
      'Cease / Administrative Shutdown (6/2): "maintenance window"',
    );
    upsert(mk(5000));
    await g.cli(['neighbor', '127.0.30.1', 'enable']);
    await g.waitEstablished(30000);
    await expectExactlyOurs();
  });
});
