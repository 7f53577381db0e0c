// A minimal BGP router built from our own codec, for speaker tests that need to misbehave on cue
// (malformed UPDATE, NOTIFICATION, connection cut). It keeps an Adj-RIB-In keyed like the speaker's.
import net from 'node:net';
import { concat, hex } from '../../../src/bgp/codec/bytes.js';
import { familyName } from '../../../src/bgp/codec/constants.js';
import { splitMessages } from '../../../src/bgp/codec/header.js';
import { KEEPALIVE } from '../../../src/bgp/codec/keepalive.js';
import { decodeMessage, type BgpMessage } from '../../../src/bgp/codec/message.js';
import { encodeOpen } from '../../../src/bgp/codec/open.js';
import { localCapabilities } from '../../../src/bgp/negotiate.js';
import type { FamilyName } from '../../../src/bgp/codec/constants.js';
import { waitFor } from '../../support/wait.js';

export interface FakePeerOptions {
  readonly address: string;
  readonly asn: number;
  readonly families: readonly FamilyName[];
  readonly enhancedRouteRefresh?: boolean;
}

export class FakePeer {
  private server: net.Server | undefined;
  sock: net.Socket | undefined;
  readonly rib = new Map<string, string>();
  readonly log: BgpMessage[] = [];
  readonly eor: string[] = [];
  sessions = 0;
  established = false;

  constructor(readonly o: FakePeerOptions) {}

  async listen(): Promise<number> {
    const server = net.createServer((s) => this.attach(s));
    this.server = server;
    await new Promise<void>((r) => server.listen({ host: this.o.address, port: 0 }, () => r()));
    return (server.address() as net.AddressInfo).port;
  }

  /** Active side, for passive speaker peers. */
  connect(host: string, port: number): void {
    this.attach(net.connect({ host, port, localAddress: this.o.address }));
  }

  private attach(s: net.Socket): void {
    this.sock?.destroy();
    this.sock = s;
    this.rib.clear();
    this.eor.length = 0;
    this.established = false;
    let rx: Uint8Array = new Uint8Array(0);
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.sock === s) this.established = false;
    });
    const caps = localCapabilities({ asn: this.o.asn, families: this.o.families }).filter(
      (c) => this.o.enhancedRouteRefresh !== false || c.kind !== 'enhanced-route-refresh',
    );
    s.write(encodeOpen({ asn: this.o.asn, holdTime: 30, bgpId: '10.99.0.1', capabilities: caps }));
    s.on('data', (d: Buffer) => {
      rx = concat([rx, d]);
      const { messages, rest } = splitMessages(rx, 65535);
      rx = rest.slice();
      for (const m of messages) {
        const r = decodeMessage(m, { fourOctetAs: true });
        if (!r.ok) throw new Error(`fake peer could not decode: ${r.message}`);
        this.log.push(r.value);
        this.apply(r.value, s);
      }
    });
  }

  private apply(m: BgpMessage, s: net.Socket): void {
    if (m.type === 'open') s.write(KEEPALIVE);
    if (m.type === 'keepalive' && !this.established) {
      this.established = true;
      this.sessions++;
    }
    if (m.type !== 'update') return;
    const u = m.update;
    if (u.endOfRib) this.eor.push(familyName(u.endOfRib.afi, u.endOfRib.safi) ?? '?');
    const a = u.update.attributes;
    for (const w of u.update.withdrawn) this.rib.delete(`ipv4-unicast|${hex(w)}`);
    if (a.mpUnreach)
      for (const n of a.mpUnreach.nlri)
        this.rib.delete(`${familyName(a.mpUnreach.afi, a.mpUnreach.safi)}|${hex(n)}`);
    const attrText = JSON.stringify({
      nh: a.nextHop,
      c: a.communities,
      x: a.extendedCommunities?.map(hex),
      l: a.largeCommunities,
    });
    for (const n of u.update.nlri) this.rib.set(`ipv4-unicast|${hex(n)}`, attrText);
    if (a.mpReach)
      for (const n of a.mpReach.nlri)
        this.rib.set(`${familyName(a.mpReach.afi, a.mpReach.safi)}|${hex(n)}`, attrText);
  }

  send(b: Uint8Array): void {
    this.sock?.write(b);
  }

  cut(): void {
    this.sock?.destroy();
  }

  updates(): number {
    return this.log.filter((m) => m.type === 'update').length;
  }

  async waitSessions(n: number, ms = 10000): Promise<void> {
    await waitFor(
      `fake peer session #${n}`,
      () => (this.sessions >= n && this.established ? true : undefined),
      ms,
      20,
    );
  }

  async waitRib(size: number, ms = 10000): Promise<void> {
    await waitFor(`fake peer RIB of ${size}`, () => (this.rib.size === size ? true : undefined), ms, 20);
  }

  async close(): Promise<void> {
    this.sock?.destroy();
    const srv = this.server;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }
}
