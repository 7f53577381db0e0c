// ExaBGP 4.2 for the tests (RIG.md §4), foreground, its log and pid file in a temp dir. Two roles: the
// receiving side of floodgate's own speaker (`Exabgp`: connects to floodgate's listener and writes every
// UPDATE it receives as JSON to a file), and the adapter's ExaBGP whose API process is `floodgate
// exabgp-api` (`startExabgp`). One environment file and one start for both.
import { writeFileSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Daemon, requireBinary, startDaemon } from '../daemon.js';
import { ReceivingRouter } from './receiving-router.js';

/**
 * Writes `dir`/exabgp.env and starts exabgp on `conf` (stdout to exabgp.stdout): the [exabgp.api] keys as
 * given, never daemonised, log to `dir`/exabgp.log, TCP to/from `port`.
 */
function startExabgpDaemon(
  dir: string,
  conf: string,
  api: Readonly<Record<string, string>>,
  port: number,
  extraArgs: readonly string[] = [],
): Daemon {
  requireBinary('/usr/sbin/exabgp', 'exabgp');
  const env = join(dir, 'exabgp.env');
  writeFileSync(
    env,
    [
      '[exabgp.api]',
      ...Object.entries(api).map(([k, v]) => `${k} = ${v}`),
      '[exabgp.daemon]',
      'daemonize = false',
      'drop = false',
      "user = 'root'",
      `pid = '${join(dir, 'exabgp.pid')}'`,
      '[exabgp.log]',
      `destination = '${join(dir, 'exabgp.log')}'`,
      'level = INFO',
      'packets = false',
      '[exabgp.tcp]',
      "bind = ''",
      `port = ${port}`,
      '',
    ].join('\n'),
  );
  return startDaemon('/usr/sbin/exabgp', ['--env', env, ...extraArgs, conf], join(dir, 'exabgp.stdout'));
}

const ENTRY = resolve(import.meta.dirname, '../../adapters/daemons/fixtures/exabgp-api-entry.ts');
const TSX = resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');

/** The adapter's ExaBGP: its API process is `floodgate exabgp-api` connecting to the adapter's link. */
export function startExabgp(opts: {
  dir: string;
  local: string;
  peer: string;
  asn: number;
  link: string;
}): Daemon {
  const conf = join(opts.dir, 'exabgp.conf');
  writeFileSync(
    conf,
    [
      'process floodgate {',
      `  run ${TSX} ${ENTRY} exabgp-api --connect ${opts.link} --retry-ms 200;`,
      '  encoder text;',
      '}',
      `neighbor ${opts.peer} {`,
      '  router-id 10.255.40.5;',
      `  local-address ${opts.local};`,
      `  local-as ${opts.asn};`,
      `  peer-as ${opts.asn};`,
      '  connect 1179;',
      '  hold-time 9;',
      '  group-updates false;',
      '  family { ipv4 unicast; ipv6 unicast; ipv4 flow; ipv6 flow; }',
      '  api { processes [ floodgate ]; }',
      '}',
      '',
    ].join('\n'),
  );
  return startExabgpDaemon(opts.dir, conf, { ack: 'true', cli: 'false', respawn: 'true' }, 1179);
}

export interface ExabgpOptions {
  readonly address: string;
  readonly asn: number;
  readonly peerAddress: string;
  readonly peerAs: number;
  readonly peerPort: number;
}

/** One route as ExaBGP reported it, keyed by family + NLRI string. */
export interface ExaRoute {
  readonly family: string;
  readonly nlri: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
}

/** The receiving side of floodgate's own speaker: every UPDATE it receives, replayed into a RIB. */
export class Exabgp extends ReceivingRouter {
  constructor(readonly o: ExabgpOptions) {
    super('exabgp', [['/usr/sbin/exabgp', 'exabgp']]);
  }

  protected get label(): string {
    return `ExaBGP ${this.o.address}`;
  }

  private get out(): string {
    return join(this.dir, 'received.jsonl');
  }

  async start(): Promise<void> {
    mkdirSync(join(this.dir, 'run'));
    writeFileSync(
      join(this.dir, 'recv.py'),
      `import sys\nwith open(${JSON.stringify(this.out)}, 'a') as f:\n    for line in sys.stdin:\n        f.write(line); f.flush()\n`,
    );
    writeFileSync(
      join(this.dir, 'exabgp.conf'),
      `process recv {\n  run /usr/bin/python3 ${join(this.dir, 'recv.py')};\n  encoder json;\n}\n` +
        `neighbor ${this.o.peerAddress} {\n  router-id ${this.o.address.replace(/^127\./, '10.')};\n  local-address ${this.o.address};\n` +
        `  local-as ${this.o.asn};\n  peer-as ${this.o.peerAs};\n  connect ${this.o.peerPort};\n  hold-time 90;\n` +
        `  family {\n    ipv4 unicast;\n    ipv6 unicast;\n    ipv4 flow;\n    ipv6 flow;\n  }\n` +
        `  api {\n    processes [ recv ];\n    receive { parsed; update; }\n  }\n}\n`,
    );
    this.daemon = startExabgpDaemon(
      this.dir,
      join(this.dir, 'exabgp.conf'),
      { ack: 'false', cli: 'false', encoder: 'json', pipename: "'floodgate'", respawn: 'false' },
      this.o.peerPort,
      ['--root', this.dir],
    );
  }

  private events(): Record<string, unknown>[] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** ExaBGP reports its first UPDATE (our End-of-RIB) only once the session is up. */
  async established(): Promise<boolean> {
    return this.events().some((e) => e.type === 'update');
  }

  override waitEstablished(timeoutMs = 30000): Promise<void> {
    return super.waitEstablished(timeoutMs);
  }

  /** Replay received UPDATEs into a RIB: family|nlri-string → route. */
  rib(): Map<string, ExaRoute> {
    const rib = new Map<string, ExaRoute>();
    for (const e of this.events()) {
      if (e.type !== 'update') continue;
      const upd = ((e.neighbor as Record<string, unknown>)?.message as Record<string, unknown>)?.update as
        Record<string, unknown> | undefined;
      if (!upd) continue;
      const attributes = (upd.attribute ?? {}) as Record<string, unknown>;
      for (const [family, byNh] of Object.entries((upd.withdraw ?? {}) as Record<string, unknown>)) {
        const list = (
          Array.isArray(byNh) ? byNh : Object.values(byNh as Record<string, unknown>).flat()
        ) as Record<string, unknown>[];
        for (const n of list) rib.delete(`${family}|${key(n)}`);
      }
      for (const [family, byNh] of Object.entries(
        (upd.announce ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        for (const [nh, list] of Object.entries(byNh)) {
          for (const n of list as Record<string, unknown>[])
            rib.set(`${family}|${key(n)}`, { family, nlri: { ...n, 'next-hop': nh }, attributes });
        }
      }
    }
    return rib;
  }

  override log(): string {
    const f = join(this.dir, 'exabgp.log');
    return (existsSync(f) ? readFileSync(f, 'utf8') : '') + (this.daemon?.tail() ?? '');
  }
}

function key(n: Record<string, unknown>): string {
  // ExaBGP appends the MP next hop to a FlowSpec NLRI string on announce, not on withdraw
  return typeof n.string === 'string'
    ? n.string.replace(/ next-hop \S+$/, '')
    : typeof n.nlri === 'string'
      ? n.nlri
      : JSON.stringify(n);
}
