// gobgpd for the tests (RIG.md §1), in two roles: the receiving router of floodgate's own BGP speaker
// (`Gobgpd`, read back with the gobgp CLI) and the receiver of the adapter interop tests (`startReceiver`,
// read back over gRPC ListPath). One TOML renderer and one start for both, and for the adapters' own gobgpd.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GobgpClient, type ListedPath } from '../../../src/adapters/gobgp/client.js';
import type { GobgpFamily } from '../../../src/adapters/gobgp/render.js';
import { type Daemon, requireBinary, run, startDaemon } from '../daemon.js';
import { ReceivingRouter } from './receiving-router.js';
import { GiveUp, waitFor } from '../wait.js';

export const PROTO_DIR = '/usr/share/gocode/src/github.com/osrg/gobgp/api';
/** The AS of the adapter interop tests (iBGP, so NO_EXPORT routes are sent at all). */
export const TEST_ASN = 65040;

export interface GobgpdNeighbor {
  readonly address: string;
  readonly peerAs: number;
  readonly localAddress: string;
  /** Wait for the peer to connect; otherwise connect to it on `remotePort` (default 1179). */
  readonly passive: boolean;
  readonly remotePort?: number;
  /** [neighbors.timers.config] keys, e.g. { 'hold-time': 9 }. */
  readonly timers: Readonly<Record<string, number>>;
  readonly families: readonly string[];
}

/** gobgpd's TOML config: `port` -1 listens nowhere. */
export function gobgpdToml(o: {
  asn: number;
  routerId: string;
  port: number;
  localAddress: string;
  neighbors: readonly GobgpdNeighbor[];
}): string {
  const lines = [
    '[global.config]',
    `  as = ${o.asn}`,
    `  router-id = "${o.routerId}"`,
    `  port = ${o.port}`,
    `  local-address-list = ["${o.localAddress}"]`,
  ];
  for (const n of o.neighbors) {
    lines.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.peerAs}`,
      '  [neighbors.transport.config]',
      `    local-address = "${n.localAddress}"`,
      n.passive ? '    passive-mode = true' : `    remote-port = ${n.remotePort ?? 1179}`,
      '  [neighbors.timers.config]',
      ...Object.entries(n.timers).map(([k, v]) => `    ${k} = ${v}`),
    );
    for (const f of n.families)
      lines.push(
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}"`,
      );
  }
  return lines.join('\n') + '\n';
}

/** gobgpd on a config file, gRPC on `api` (host:port or unix:///path), optionally inside a netns. */
export function startGobgpd(o: { conf: string; api: string; log: string; netns?: string }): Daemon {
  requireBinary('/usr/bin/gobgpd', 'gobgpd');
  const args = ['-f', o.conf, `--api-hosts=${o.api}`, '--pprof-disable', '-p', '-l', 'info'];
  return o.netns
    ? startDaemon('/usr/sbin/ip', ['netns', 'exec', o.netns, '/usr/bin/gobgpd', ...args], o.log)
    : startDaemon('/usr/bin/gobgpd', args, o.log);
}

const ADAPTER_FAMILIES = ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'];
const ADAPTER_TIMERS = { 'connect-retry': 2, 'hold-time': 9, 'keepalive-interval': 3 };

/** The adapter tests' iBGP gobgpd config (receiver or the adapter's own speaker), all four families. */
function gobgpdPeerToml(opts: {
  asn: number;
  routerId: string;
  listen: { address: string; port: number } | undefined;
  peers: readonly { address: string; port?: number; passive: boolean; localAddress: string }[];
}): string {
  return gobgpdToml({
    asn: opts.asn,
    routerId: opts.routerId,
    port: opts.listen?.port ?? -1,
    localAddress: opts.listen?.address ?? opts.peers[0]?.localAddress ?? '127.0.0.1',
    neighbors: opts.peers.map((p) => ({
      address: p.address,
      peerAs: opts.asn,
      localAddress: p.localAddress,
      passive: p.passive,
      ...(p.port !== undefined ? { remotePort: p.port } : {}),
      timers: ADAPTER_TIMERS,
      families: ADAPTER_FAMILIES,
    })),
  });
}

/** The adapter's own gobgpd: an active iBGP session to the receiver, gRPC on `api` for the adapter. */
export function startAdapterGobgpd(o: {
  dir: string;
  /** Names its config and log files. */
  name: string;
  address: string;
  routerId: string;
  receiver: string;
  api: string;
}): Daemon {
  const conf = join(o.dir, `${o.name}.toml`);
  writeFileSync(
    conf,
    gobgpdPeerToml({
      asn: TEST_ASN,
      routerId: o.routerId,
      listen: undefined,
      peers: [{ address: o.receiver, port: 1179, passive: false, localAddress: o.address }],
    }),
  );
  return startGobgpd({ conf, api: o.api, log: join(o.dir, `${o.name}.log`) });
}

export interface Receiver {
  readonly client: GobgpClient;
  readonly daemon: Daemon;
  rib(family: GobgpFamily): Promise<ListedPath[]>;
  waitEstablished(peer: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The adapter interop tests' receiving router: passive iBGP neighbours, its RIB read over gRPC. */
export async function startReceiver(opts: {
  dir: string;
  address: string;
  grpc: string; // host:port or unix:///path
  peers: readonly string[];
  netns?: string;
}): Promise<Receiver> {
  requireBinary(join(PROTO_DIR, 'gobgp.proto'), 'golang-github-osrg-gobgp-dev');
  const conf = join(opts.dir, 'receiver.toml');
  writeFileSync(
    conf,
    gobgpdPeerToml({
      asn: TEST_ASN,
      routerId: '10.255.40.1',
      listen: { address: opts.address, port: 1179 },
      peers: opts.peers.map((a) => ({ address: a, passive: true, localAddress: opts.address })),
    }),
  );
  const daemon = startGobgpd({
    conf,
    api: opts.grpc,
    log: join(opts.dir, 'receiver.log'),
    ...(opts.netns ? { netns: opts.netns } : {}),
  });
  const client = new GobgpClient(opts.grpc, PROTO_DIR, 3000);
  await waitFor(
    'receiving gobgpd gRPC',
    async () => (await client.listPeer()).length === opts.peers.length || undefined,
    20_000,
  );
  return {
    client,
    daemon,
    rib: (family) => client.listPath(family),
    async waitEstablished(peer, timeoutMs = 40_000) {
      await waitFor(
        `BGP session ${peer} established at the receiver`,
        async () =>
          (await client.listPeer()).find((p) => p.address === peer && p.state === 'ESTABLISHED') && true,
        timeoutMs,
        500,
      );
    },
    async stop() {
      client.close();
      await daemon.stop();
    },
  };
}

export interface GobgpdOptions {
  readonly address: string;
  readonly asn: number;
  readonly grpcPort: number;
  readonly peerAddress: string;
  readonly peerAs: number;
  readonly families?: readonly string[];
  readonly port?: number;
}

/** The receiving router of floodgate's own speaker: one passive neighbour, read with the gobgp CLI. */
export class Gobgpd extends ReceivingRouter {
  constructor(readonly o: GobgpdOptions) {
    super('gobgpd', [['/usr/bin/gobgpd', 'gobgpd']]);
  }

  protected get label(): string {
    return `gobgpd ${this.o.address}`;
  }

  async start(): Promise<void> {
    const conf = join(this.dir, 'gobgpd.toml');
    writeFileSync(
      conf,
      gobgpdToml({
        asn: this.o.asn,
        routerId: this.o.address.replace(/^127\./, '10.'),
        port: this.o.port ?? 1179,
        localAddress: this.o.address,
        neighbors: [
          {
            address: this.o.peerAddress,
            peerAs: this.o.peerAs,
            localAddress: this.o.address,
            passive: true,
            timers: { 'idle-hold-time-after-reset': 1 },
            families: this.o.families ?? [...ADAPTER_FAMILIES, 'l3vpn-ipv4-flowspec'],
          },
        ],
      }),
    );
    this.daemon = startGobgpd({
      conf,
      api: `127.0.0.1:${this.o.grpcPort}`,
      log: join(this.dir, 'gobgpd.log'),
    });
    const daemon = this.daemon;
    await waitFor(
      'gobgpd gRPC',
      async () => {
        // a gobgpd that exited (its gRPC or BGP port taken, a config it refused) will not answer: say why now
        if (daemon.exited()) throw new GiveUp(`gobgpd ${this.o.address} exited:\n${daemon.tail()}`);
        return (await this.cli(['global'])).length > 0 || undefined;
      },
      15000,
      200,
    ).catch((err: Error) => {
      if (err instanceof GiveUp) throw err;
      throw new Error(`${err.message}\ngobgpd log:\n${daemon.tail()}`, { cause: err });
    });
  }

  async cli(args: readonly string[]): Promise<string> {
    const { stdout } = await run('/usr/bin/gobgp', ['-p', String(this.o.grpcPort), ...args], {
      timeout: 10000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  }

  async json<T = unknown>(args: readonly string[]): Promise<T> {
    const out = await this.cli(['-j', ...args]);
    return (out.trim() === '' || out.trim() === 'null' ? [] : JSON.parse(out)) as T;
  }

  async established(): Promise<boolean> {
    return (await this.sessionState()) === 6;
  }

  async sessionState(): Promise<number | undefined> {
    const n = await this.json<{ state?: { session_state?: number } }[]>(['neighbor']);
    return n[0]?.state?.session_state;
  }

  /** global rib for a family: destination key → paths. */
  async rib(family: string): Promise<Record<string, GobgpPath[]>> {
    const r = await this.json<Record<string, GobgpPath[]> | unknown[]>(['global', 'rib', '-a', family]);
    return Array.isArray(r) ? {} : r;
  }

  async ribCount(family: string): Promise<number> {
    // `global rib summary` prints "Table ... Destination: N, Path: M"
    const out = await this.cli(['global', 'rib', 'summary', '-a', family]);
    const m = /Destination:\s*(\d+)/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }
}

export interface GobgpPath {
  nlri: { prefix?: string; value?: { type: number; value: unknown }[]; rd?: unknown };
  attrs: {
    type: number;
    value?: unknown;
    communities?: number[];
    nexthop?: string;
    as_paths?: { asns: number[] }[];
  }[];
}
