// Daemons for the scale-out acceptance (issue 16), on the 127.42.0.0/16 block: a single-node nats-server
// with JetStream (RIG.md §11), a gobgpd router with several passive neighbours (one per engine), and a
// gRPC watch of every UPDATE it receives that names the neighbour it came from.
import * as grpc from '@grpc/grpc-js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadGobgpProtos } from '../../src/adapters/gobgp/proto.js';
import { GOBGP_PROTO_DIR } from '../e2e/support-gobgp.js';
import { gobgpdToml } from '../support/daemons/gobgpd.js';

const run = promisify(execFile);

export interface Daemon {
  readonly dir: string;
  output(): string;
  stop(): Promise<void>;
}

function spawnDaemon(cmd: string, args: string[], dir: string): { child: ChildProcess; daemon: Daemon } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  return {
    child,
    daemon: {
      dir,
      output: () => out,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await gone;
          clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}

async function until(what: string, fn: () => Promise<boolean>, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not ready in ${ms} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startNats(host: string, port: number, httpPort: number): Promise<Daemon> {
  if (!existsSync('/usr/sbin/nats-server'))
    throw new Error('nats-server missing: apt-get install nats-server');
  const dir = mkdtempSync(join(tmpdir(), 'fg-nats-'));
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
  const { daemon } = spawnDaemon('/usr/sbin/nats-server', ['-c', join(dir, 'nats.conf')], dir);
  await until(
    'nats-server',
    async () => (await fetch(`http://${host}:${httpPort}/healthz`)).ok,
    30_000,
    daemon.output,
  );
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
  const dir = mkdtempSync(join(tmpdir(), 'fg-gobgpd-'));
  const conf = gobgpdToml({
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
  });
  writeFileSync(join(dir, 'gobgpd.toml'), conf);
  const grpcAddr = `${address}:${grpcPort}`;
  const { daemon } = spawnDaemon(
    '/usr/bin/gobgpd',
    ['-f', join(dir, 'gobgpd.toml'), `--api-hosts=${grpcAddr}`, '--pprof-disable', '-p', '-l', 'info'],
    dir,
  );
  const protos = loadGobgpProtos(GOBGP_PROTO_DIR);
  const client = new protos.GobgpApi(grpcAddr, grpc.credentials.createInsecure());
  await until(
    'gobgpd gRPC',
    () =>
      new Promise<boolean>((resolve) =>
        (client as unknown as Record<string, (r: unknown, cb: (e: unknown) => void) => void>).GetBgp!.call(
          client,
          {},
          (e) => resolve(!e),
        ),
      ),
    30_000,
    daemon.output,
  );
  client.close();
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
    const protos = loadGobgpProtos(GOBGP_PROTO_DIR);
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
