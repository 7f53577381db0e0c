// The receiving router of the interop tests: a gobgpd that accepts the adapter's daemon as an iBGP peer
// (iBGP so NO_EXPORT routes are sent at all) with unicast + FlowSpec for both families, and whose RIB
// is read back over gRPC ListPath.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GobgpClient, type ListedPath } from '../../../../src/adapters/gobgp/client.js';
import type { GobgpFamily } from '../../../../src/adapters/gobgp/render.js';
import { type Daemon, requireBinary, startDaemon } from '../../../support/daemon.js';
import { waitFor } from '../../../support/wait.js';

export const PROTO_DIR = '/usr/share/gocode/src/github.com/osrg/gobgp/api';
export const TEST_ASN = 65040;

export interface Receiver {
  readonly client: GobgpClient;
  readonly daemon: Daemon;
  rib(family: GobgpFamily): Promise<ListedPath[]>;
  waitEstablished(peer: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function gobgpdPeerToml(opts: {
  asn: number;
  routerId: string;
  listen: { address: string; port: number } | undefined;
  peers: readonly { address: string; port?: number; passive: boolean; localAddress: string }[];
}): string {
  const families = ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'];
  const lines = [
    '[global.config]',
    `  as = ${opts.asn}`,
    `  router-id = "${opts.routerId}"`,
    opts.listen ? `  port = ${opts.listen.port}` : '  port = -1',
    `  local-address-list = ["${opts.listen?.address ?? opts.peers[0]?.localAddress ?? '127.0.0.1'}"]`,
  ];
  for (const p of opts.peers) {
    lines.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${p.address}"`,
      `    peer-as = ${opts.asn}`,
      '  [neighbors.transport.config]',
      `    local-address = "${p.localAddress}"`,
      p.passive ? '    passive-mode = true' : `    remote-port = ${p.port ?? 1179}`,
      '  [neighbors.timers.config]',
      '    connect-retry = 2',
      '    hold-time = 9',
      '    keepalive-interval = 3',
    );
    for (const f of families)
      lines.push(
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}"`,
      );
  }
  return lines.join('\n') + '\n';
}

export async function startReceiver(opts: {
  dir: string;
  address: string;
  grpc: string; // host:port or unix:///path
  peers: readonly string[];
  netns?: string;
}): Promise<Receiver> {
  requireBinary('/usr/bin/gobgpd', 'gobgpd');
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
  const args = ['-f', conf, `--api-hosts=${opts.grpc}`, '--pprof-disable', '-p', '-l', 'info'];
  const daemon = opts.netns
    ? startDaemon(
        '/usr/sbin/ip',
        ['netns', 'exec', opts.netns, '/usr/bin/gobgpd', ...args],
        join(opts.dir, 'receiver.log'),
      )
    : startDaemon('/usr/bin/gobgpd', args, join(opts.dir, 'receiver.log'));
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
