// Daemons for the scale-out acceptance (issue 16), on the 127.42.0.0/16 block: a single-node nats-server
// with JetStream (RIG.md §11), a gobgpd router with several passive neighbours (one per engine), and a
// gRPC watch of every UPDATE it receives that names the neighbour it came from. Both daemons are started by
// the one daemon harness (test/support/daemon.ts, test/support/daemons/gobgpd.ts).
import * as grpc from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GobgpClient } from '../../src/adapters/gobgp/client.js';
import { loadGobgpProtos } from '../../src/adapters/gobgp/proto.js';
import {
  type Daemon as LoggedDaemon,
  removeDir,
  requireBinary,
  run,
  startDaemon,
  tempDir,
} from '../support/daemon.js';
import { gobgpdToml, PROTO_DIR, startGobgpd } from '../support/daemons/gobgpd.js';
import { waitFor } from '../support/wait.js';

/** A daemon of the one harness (test/support/daemon.ts) in a temp dir of its own, which stop() removes. */
export interface Daemon {
  readonly dir: string;
  /** The last lines of its log. */
  output(): string;
  stop(): Promise<void>;
}

function inTempDir(dir: string, daemon: LoggedDaemon): Daemon {
  return {
    dir,
    output: () => daemon.tail(),
    async stop() {
      await daemon.stop();
      removeDir(dir);
    },
  };
}

/** Waits for `what`; on a timeout the error carries the daemon's last log lines and the daemon is stopped. */
async function ready(what: string, daemon: Daemon, fn: () => Promise<boolean>): Promise<void> {
  try {
    await waitFor(what, async () => (await fn()) || undefined, 30_000);
  } catch (err) {
    await daemon.stop();
    throw new Error(`${(err as Error).message}\n${daemon.output()}`, { cause: err });
  }
}

export async function startNats(host: string, port: number, httpPort: number): Promise<Daemon> {
  requireBinary('/usr/sbin/nats-server', 'nats-server');
  const dir = tempDir('nats');
  writeFileSync(
    join(dir, 'nats.conf'),
    [
      `server_name: fg-test-${port}`,
      `listen: ${host}:${port}`,
      `http: ${host}:${httpPort}`,
      `jetstream { store_dir: "${join(dir, 'js')}", max_memory_store: 64MB, max_file_store: 1GB }`,
      '',
    ].join('\n'),
  );
  const daemon = inTempDir(
    dir,
    startDaemon('/usr/sbin/nats-server', ['-c', join(dir, 'nats.conf')], join(dir, 'nats.log')),
  );
  await ready('nats-server', daemon, async () => (await fetch(`http://${host}:${httpPort}/healthz`)).ok);
  return daemon;
}

export interface Router extends Daemon {
  readonly grpc: string;
}

/** gobgpd on address:1179 with one passive neighbour per engine address (RIG.md §1). */
export async function startRouter(
  address: string,
  asn: number,
  grpcPort: number,
  peers: readonly { address: string; asn: number }[],
): Promise<Router> {
  const dir = tempDir('gobgpd');
  const conf = join(dir, 'gobgpd.toml');
  writeFileSync(
    conf,
    gobgpdToml({
      asn,
      routerId: '10.42.0.30',
      port: 1179,
      localAddress: address,
      neighbors: peers.map((p) => ({
        address: p.address,
        peerAs: p.asn,
        localAddress: address,
        passive: true,
        timers: { 'idle-hold-time-after-reset': 1 },
        families: ['ipv4-flowspec', 'ipv4-unicast'],
      })),
    }),
  );
  const grpcAddr = `${address}:${grpcPort}`;
  const daemon = inTempDir(dir, startGobgpd({ conf, api: grpcAddr, log: join(dir, 'gobgpd.log') }));
  const client = new GobgpClient(grpcAddr, PROTO_DIR, 3000);
  try {
    await ready('gobgpd gRPC', daemon, async () => (await client.listPeer()).length === peers.length);
  } finally {
    client.close();
  }
  return { ...daemon, grpc: grpcAddr };
}

export interface WatchedPath {
  /** Wall-clock ms when the UPDATE reached us. */
  readonly at: number;
  readonly withdraw: boolean;
  readonly neighbor: string;
  readonly nlri: string;
}

/** Every UPDATE gobgpd receives from its neighbours (WatchEvent, table filter ADJIN). */
export class NeighborRibWatch {
  readonly events: WatchedPath[] = [];
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientReadableStream<unknown>;
  readonly ready: Promise<void>;

  constructor(grpcAddr: string) {
    const protos = loadGobgpProtos(PROTO_DIR);
    this.client = new protos.GobgpApi(grpcAddr, grpc.credentials.createInsecure());
    const watch = (
      this.client as unknown as Record<string, (req: unknown) => grpc.ClientReadableStream<unknown>>
    ).WatchEvent as (req: unknown) => grpc.ClientReadableStream<unknown>;
    this.call = watch.call(this.client, { table: { filters: [{ type: 'ADJIN', init: true }] } });
    this.ready = new Promise<void>((resolve) => {
      this.call.on('metadata', () => resolve());
      setTimeout(resolve, 1000).unref();
    });
    this.call.on('data', (r: unknown) => {
      const at = performance.timeOrigin + performance.now();
      for (const p of (r as { table?: { paths?: Record<string, unknown>[] } }).table?.paths ?? [])
        this.events.push({
          at,
          withdraw: Boolean(p.is_withdraw),
          neighbor: String(p.neighbor_ip ?? ''),
          nlri: JSON.stringify(protos.unpack(p.nlri as never)),
        });
    });
    this.call.on('error', () => undefined);
  }

  /** Announcements of NLRIs containing `text`, per neighbour (ADJIN shows no withdraw when a session drops). */
  announces(text: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.events)
      if (!e.withdraw && e.nlri.includes(text)) out[e.neighbor] = (out[e.neighbor] ?? 0) + 1;
    return out;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

export interface RouterPath {
  readonly neighbor: string;
  readonly nlri: string;
}

/** The FlowSpec paths gobgpd holds now, with the neighbour each came from (gobgp CLI JSON). */
export async function routerPaths(router: Router): Promise<RouterPath[]> {
  const [host, port] = router.grpc.split(':') as [string, string];
  const { stdout } = await run(
    '/usr/bin/gobgp',
    ['-u', host, '-p', port, '-j', 'global', 'rib', '-a', 'ipv4-flowspec'],
    {
      timeout: 10_000,
    },
  );
  const text = stdout.trim();
  if (text === '' || text === 'null') return [];
  const rib = JSON.parse(text) as Record<string, Record<string, unknown>[]> | unknown[];
  if (Array.isArray(rib)) return [];
  return Object.values(rib).flatMap((paths) =>
    paths.map((p) => ({
      neighbor: String(p['neighbor-ip'] ?? p.neighbor_ip ?? ''),
      nlri: JSON.stringify(p.nlri),
    })),
  );
}

/** Samples the router's paths until stopped: the largest number held at once for NLRIs containing `text`. */
export class RibSampler {
  max = 0;
  samples = 0;
  errors = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(router: Router, text: string, everyMs = 150) {
    this.done = (async () => {
      while (this.running) {
        try {
          const n = (await routerPaths(router)).filter((p) => p.nlri.includes(text)).length;
          this.max = Math.max(this.max, n);
          this.samples++;
        } catch {
          this.errors++;
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}
