// `floodgate agent -c FILE`: the host agent (packet sampling into detection, reports to the controller, local
// nftables mitigation; src/agent/main.ts, docs/agent.md). Without -c: `floodgate agent [--interval MS]
// [--count N] [--interface LIST] [--json]` prints per-second host counters from /proc/net/dev and /proc/net/snmp.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { parseNetDev, parseNetSnmp, rates, type HostRates, type HostReading } from '../../agent/procnet.js';

export interface AgentOptions {
  config?: string;
  interval?: string;
  count?: string;
  interface?: string;
  json?: boolean;
}

export interface AgentIo {
  out: (line: string) => void;
  err: (line: string) => void;
  read?: (path: string) => string;
  now?: () => number;
}

export function readHost(read: (p: string) => string, now: number): HostReading {
  return { at: now, dev: parseNetDev(read('/proc/net/dev')), snmp: parseNetSnmp(read('/proc/net/snmp')) };
}

const r0 = (x: number | undefined) => Math.round(x ?? 0);

export function renderRates(r: HostRates): string[] {
  const out = Object.entries(r.interfaces).map(
    ([name, c]) =>
      `${name}: rx ${r0(c.rxPackets)} pps ${r0((c.rxBytes ?? 0) * 8)} bps drop ${r0(c.rxDrop)}/s err ${r0(c.rxErrs)}/s · tx ${r0(c.txPackets)} pps ${r0((c.txBytes ?? 0) * 8)} bps`,
  );
  const u = r.snmp.Udp ?? {};
  const t = r.snmp.Tcp ?? {};
  const i = r.snmp.Icmp ?? {};
  const ip = r.snmp.Ip ?? {};
  out.push(
    `ip in ${r0(ip.InReceives)}/s discards ${r0(ip.InDiscards)}/s · udp in ${r0(u.InDatagrams)}/s noports ${r0(u.NoPorts)}/s rcvbuf-errors ${r0(u.RcvbufErrors)}/s · tcp in ${r0(t.InSegs)}/s passive-opens ${r0(t.PassiveOpens)}/s rsts-out ${r0(t.OutRsts)}/s · icmp in ${r0(i.InMsgs)}/s`,
  );
  return out;
}

/** Prints `count` readings (0 = until stopped), one per interval; returns the exit code. */
export async function runAgent(opts: AgentOptions, io: AgentIo, stop?: AbortSignal): Promise<number> {
  const interval = Number(opts.interval ?? 1000);
  const count = Number(opts.count ?? 0);
  if (!Number.isInteger(interval) || interval < 100 || interval > 3_600_000) {
    io.err(`floodgate agent: --interval: expected milliseconds 100-3600000, found "${opts.interval}"`);
    return 1;
  }
  if (!Number.isInteger(count) || count < 0) {
    io.err(`floodgate agent: --count: expected a non-negative integer, found "${opts.count}"`);
    return 1;
  }
  const only = opts.interface ? new Set(opts.interface.split(',').map((s) => s.trim())) : undefined;
  const read = io.read ?? ((p: string) => readFileSync(p, 'utf8'));
  const now = io.now ?? Date.now;
  let prev: HostReading;
  try {
    prev = readHost(read, now());
  } catch (e) {
    io.err(`floodgate agent: cannot read the host counters: ${(e as Error).message} (Linux /proc needed)`);
    return 1;
  }
  for (let n = 0; count === 0 || n < count; n++) {
    try {
      await sleep(interval, undefined, stop ? { signal: stop } : undefined);
    } catch {
      return 0; // stopped
    }
    let cur: HostReading;
    try {
      cur = readHost(read, now());
    } catch (e) {
      io.err(`floodgate agent: ${(e as Error).message}; reading skipped`);
      continue;
    }
    const r = rates(prev, cur);
    prev = cur;
    if (only) for (const k of Object.keys(r.interfaces)) if (!only.has(k)) delete r.interfaces[k];
    if (opts.json) io.out(JSON.stringify(r));
    else for (const l of renderRates(r)) io.out(l);
  }
  return 0;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'host agent: with -c FILE samples packets into detection, reports to the controller and applies its mitigations; without, prints /proc/net counters',
    )
    .option(
      '-c, --config <file>',
      'floodgate.yaml with the agent and detection sections (runs the full agent)',
    )
    .option('--interval <ms>', 'reading period in milliseconds', '1000')
    .option('--count <n>', 'readings to print (0 = until stopped)', '0')
    .option('--interface <list>', 'comma-separated interfaces to show (default: all)')
    .option('--json', 'one JSON object per reading')
    .action(async (opts: AgentOptions) => {
      if (opts.config !== undefined) {
        const { runAgentUntilSignalled } = await import('../../agent/main.js');
        try {
          process.exitCode = await runAgentUntilSignalled(opts.config);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          process.stderr.write(`floodgate agent: refusing to start: ${err.message}\n`);
          process.exitCode = 2;
        }
        return;
      }
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      process.exitCode = await runAgent(
        opts,
        { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') },
        ac.signal,
      );
    });
}
