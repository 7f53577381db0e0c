// `floodgate init`: writes a working floodgate.yaml from a few answers — asked in a terminal, or all
// given as flags for scripts — checks it as `check-config` does, and prints what to configure on the
// router side. Mitigation starts in dry-run.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/load.js';
import {
  INIT_MITIGATORS,
  type InitAnswers,
  type InitExporter,
  type InitMitigator,
  type InitRouter,
  checkAnswers,
  initYaml,
} from '../init/answers.js';
import { SNIPPET_PLATFORMS, type SnippetPlatform, routerSnippets } from '../init/router-snippets.js';

interface InitFlags {
  out: string;
  force?: boolean;
  yes?: boolean;
  network: string[];
  exporter: string[];
  router: string[];
  mitigator?: string;
  localAs?: string;
  routerId?: string;
  localAddress?: string;
  discardV4?: string;
  discardV6?: string;
  apiHost: string;
  snippets: string;
}

const collect = (v: string, all: string[]) => [...all, v];

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a first floodgate.yaml from a few answers (interactive, or all by flags with --yes)')
    .option('-o, --out <file>', 'file to write', 'floodgate.yaml')
    .option('--force', 'overwrite an existing file')
    .option('-y, --yes', 'ask nothing: take flags and defaults (for scripts)')
    .option('--network <prefix>', 'a prefix to protect (repeatable)', collect, [])
    .option(
      '--exporter <addr[:N]>',
      'a flow exporter, with its 1-in-N sampling if it does not report it (repeatable)',
      collect,
      [],
    )
    .option('--router <addr,asn>', 'a router to peer with over BGP (repeatable)', collect, [])
    .option('--mitigator <kind>', `how rules reach routers: ${INIT_MITIGATORS.join(', ')} (default bgp)`)
    .option('--local-as <asn>', 'our AS number for BGP')
    .option('--router-id <ipv4>', 'our BGP identifier')
    .option('--local-address <ip>', "floodgate's address towards the routers")
    .option('--discard-v4 <ip>', 'IPv4 RTBH discard next hop your routers map to a discard route')
    .option('--discard-v6 <ip>', 'IPv6 RTBH discard next hop (default 100::1, RFC 6666)')
    .option('--api-host <host>', 'address the HTTP API binds to', '127.0.0.1')
    .option(
      '--snippets <list>',
      `router examples to print: ${SNIPPET_PLATFORMS.join(',')} or none`,
      SNIPPET_PLATFORMS.join(','),
    )
    .action(async (o: InitFlags) => {
      const code = await runInit(o);
      if (code) process.exitCode = code;
    });
}

function parseExporter(s: string): InitExporter {
  // "10.0.0.1:1000", "[2001:db8::1]:1000", "10.0.0.1", "2001:db8::1"
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? (s.split(':').length === 2 ? /^(.+):(\d+)$/.exec(s) : null);
  return m ? { address: m[1] as string, sampling: Number(m[2]) } : { address: s };
}

function parseRouter(s: string): InitRouter {
  const [address = '', asn = ''] = s.split(',');
  return { address: address.trim(), asn: Number(asn.replace(/^AS/i, '')) };
}

async function ask(flags: InitFlags): Promise<InitAnswers> {
  const interactive = !flags.yes && process.stdin.isTTY;
  const rl = interactive
    ? createInterface({ input: process.stdin, output: process.stderr, terminal: false })
    : undefined;
  // the line iterator buffers answers typed (or pasted) ahead of their question
  const lines = rl?.[Symbol.asyncIterator]();
  const prompt = async (question: string): Promise<string> => {
    process.stderr.write(question);
    const next = await lines!.next();
    return next.done ? '' : String(next.value).trim();
  };
  const q = async (question: string, given: string | undefined, fallback: string): Promise<string> => {
    if (given !== undefined || !rl) return given ?? fallback;
    return (await prompt(`${question}${fallback ? ` [${fallback}]` : ''}: `)) || fallback;
  };
  const list = async (question: string, given: string[]): Promise<string[]> => {
    if (given.length || !rl) return given;
    const a = await prompt(`${question} (comma-separated): `);
    return a
      ? a
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [];
  };
  try {
    const networks = await list('Prefixes to protect, e.g. 203.0.113.0/24, 2001:db8::/32', flags.network);
    const exporters = (
      await list('Flow exporters (router addresses), with :N for 1-in-N sampling', flags.exporter)
    ).map(parseExporter);
    const mitigator = (await q(
      `How rules reach routers (${INIT_MITIGATORS.join(', ')})`,
      flags.mitigator,
      'bgp',
    )) as InitMitigator;
    const routers =
      mitigator === 'bgp'
        ? (
            await (async () => {
              if (flags.router.length || !rl) return flags.router;
              const a = await prompt('Routers to peer with as address,asn (several separated by ;): ');
              return a ? a.split(';').map((x: string) => x.trim()) : [];
            })()
          ).map(parseRouter)
        : [];
    const localAs = Number(await q('Our AS number', flags.localAs, '65000'));
    const routerId = await q('Our BGP router id (IPv4)', flags.routerId, '10.255.255.1');
    const localAddress = await q(
      "floodgate's address towards the routers (empty: let the OS choose)",
      flags.localAddress,
      '',
    );
    const discardV4 = await q(
      'IPv4 RTBH discard next hop (empty: no IPv4 blackholing yet)',
      flags.discardV4,
      '',
    );
    const discardV6 = await q('IPv6 RTBH discard next hop', flags.discardV6, '100::1');
    return {
      networks,
      exporters,
      mitigator,
      routers,
      localAs,
      routerId,
      ...(localAddress ? { localAddress } : {}),
      ...(discardV4 ? { discardV4 } : {}),
      ...(discardV6 ? { discardV6 } : {}),
      apiHost: flags.apiHost,
      apiToken: randomBytes(24).toString('base64url'),
    };
  } finally {
    rl?.close();
  }
}

export async function runInit(flags: InitFlags): Promise<number> {
  if (flags.mitigator !== undefined && !INIT_MITIGATORS.includes(flags.mitigator as InitMitigator)) {
    process.stderr.write(`floodgate init: --mitigator must be one of ${INIT_MITIGATORS.join(', ')}\n`);
    return 2;
  }
  if (existsSync(flags.out) && !flags.force) {
    process.stderr.write(`floodgate init: ${flags.out} exists; --force overwrites it\n`);
    return 2;
  }
  const answers = await ask(flags);
  const problems = checkAnswers(answers);
  if (problems.length) {
    for (const p of problems) process.stderr.write(`floodgate init: --${p.field}: ${p.message}\n`);
    return 2;
  }
  // the file holds the API owner token: readable by its owner only
  writeFileSync(flags.out, initYaml(answers), { mode: 0o600 });
  // the same checks as `floodgate check-config`
  try {
    loadConfig(flags.out);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `floodgate init: the written config does not pass check-config:\n${err.message}\n`,
      );
      return 2;
    }
    throw err;
  }
  const out = process.stdout;
  out.write(`wrote ${flags.out} (config OK, mitigation in DRY-RUN; the API owner token is its api.token)\n`);
  if (answers.mitigator === 'bgp' && !answers.discardV4 && answers.networks.some((n) => !n.includes(':')))
    out.write(
      'note: no IPv4 discard next hop: IPv4 blackholing (level 3) stays off until you set bgp.discardNextHop.ipv4\n',
    );
  if (answers.exporters.length === 1)
    out.write(
      'note: one exporter: mitigation.confidence.corroborationFull is 1, so its reports alone can act; set it to 2 when a second router exports flows\n',
    );
  if (!answers.exporters.length)
    out.write(
      'note: no exporter listed: any source may send flows; list your routers in flow.exporters before going live\n',
    );
  out.write(`next: floodgate run -c ${flags.out}   then: floodgate doctor -c ${flags.out}\n\n`);
  const platforms =
    flags.snippets === 'none'
      ? []
      : flags.snippets
          .split(',')
          .filter((p): p is SnippetPlatform => (SNIPPET_PLATFORMS as readonly string[]).includes(p));
  if (platforms.length) out.write(routerSnippets(answers, platforms));
  return 0;
}
