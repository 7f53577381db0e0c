// `floodgate replay CAPTURE [-c FILE] [--json] [--networks LIST] [--host-pps N] …`: runs detection over a
// capture (raw packets, or sFlow/NetFlow/IPFIX export datagrams) in capture time and prints each attack
// with target, family, start, end, peak rates, signature and reason. For forensics and threshold tuning.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { parseConfigText } from '../../config/load.js';
import { type DetectionConfig, parseDetectionConfig } from '../../detect/config.js';
import { Detector } from '../../detect/detector.js';
import { TimeDriver } from '../../detect/driver.js';
import type { AttackEvent, Signature } from '../../domain/attack.js';
import { decodeCapture } from '../../flow/capture.js';

export interface ReplayOptions {
  config?: string;
  json?: boolean;
  networks?: string;
  hostPps?: string;
  hostBps?: string;
  prefixPps?: string;
  prefixBps?: string;
  mode?: 'auto' | 'export' | 'raw';
}

export interface ReplayIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface AttackSummary {
  attackId: string;
  target: string;
  direction: string;
  family: string;
  node: string;
  start: string;
  /** Last tick the target was over its threshold (the end event comes a quiet period later); null if still open at the end of the capture. */
  end: string | null;
  peakPps: number;
  peakBps: number;
  signature: Signature;
  reason: string;
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: expected a non-negative number, found "${v}"`);
  return n;
}

/** The detection section from -c FILE (if any) with the command-line settings on top. */
export function replayConfig(
  opts: ReplayOptions,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): DetectionConfig {
  const raw: Record<string, unknown> = opts.config
    ? {
        ...((parseConfigText(readFile(opts.config), opts.config).detection as
          Record<string, unknown> | undefined) ?? {}),
      }
    : {};
  if (opts.networks !== undefined)
    raw.networks = opts.networks
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const t = { ...((raw.thresholds as Record<string, unknown> | undefined) ?? {}) };
  const level = (name: 'host' | 'prefix', pps?: number, bps?: number) => {
    if (pps === undefined && bps === undefined) return;
    const l = { ...((t[name] as Record<string, unknown> | undefined) ?? {}) };
    const inc = { ...((l.incoming as Record<string, unknown> | undefined) ?? {}) };
    if (pps !== undefined) inc.pps = pps;
    if (bps !== undefined) inc.bps = bps;
    l.incoming = inc;
    t[name] = l;
  };
  level('host', num('--host-pps', opts.hostPps), num('--host-bps', opts.hostBps));
  level('prefix', num('--prefix-pps', opts.prefixPps), num('--prefix-bps', opts.prefixBps));
  raw.thresholds = t;
  return parseDetectionConfig(raw);
}

const sigText = (s: Signature): string => {
  const parts: string[] = [];
  if (s.protocols) parts.push(`proto ${s.protocols.join(',')}`);
  if (s.sourcePorts) parts.push(`sport ${s.sourcePorts.join(',')}`);
  if (s.destinationPorts) parts.push(`dport ${s.destinationPorts.join(',')}`);
  if (s.tcpFlags !== undefined) parts.push(`flags 0x${s.tcpFlags.toString(16).padStart(2, '0')}`);
  if (s.fragment) parts.push('fragment');
  if (s.packetLength) parts.push(`len ${s.packetLength.min}-${s.packetLength.max}`);
  if (s.sourcePrefixes) parts.push(`src ${s.sourcePrefixes.join(',')}`);
  parts.push(`covers ${Math.round(s.coverage * 100)}%`);
  return parts.join(' ');
};

/** Folds the event stream into one summary per attack. */
export function summarise(events: readonly AttackEvent[], quietMs: number): AttackSummary[] {
  const byId = new Map<string, AttackSummary>();
  for (const e of events) {
    let a = byId.get(e.attackId);
    if (!a) {
      a = {
        attackId: e.attackId,
        target: e.target,
        direction: e.direction,
        family: e.family,
        node: e.node,
        start: new Date(e.startedAt).toISOString(),
        end: null,
        peakPps: 0,
        peakBps: 0,
        signature: e.signature,
        reason: e.reason,
      };
      byId.set(e.attackId, a);
    }
    a.peakPps = Math.max(a.peakPps, e.peakPps);
    a.peakBps = Math.max(a.peakBps, e.peakBps);
    if (e.kind === 'end') a.end = new Date(e.at - quietMs).toISOString();
    else {
      a.family = e.family;
      a.signature = e.signature;
      a.reason = e.reason;
    }
  }
  return [...byId.values()];
}

/** The command's action; returns the exit code (0 ok, 1 bad input or config). */
export function runReplay(file: string, opts: ReplayOptions, io: ReplayIo): number {
  let cfg: DetectionConfig;
  try {
    cfg = replayConfig(opts);
  } catch (e) {
    const msg =
      e instanceof ZodError
        ? e.issues.map((i) => `detection.${i.path.join('.')}: ${i.message}`).join('; ')
        : (e as Error).message;
    io.err(`floodgate replay: bad settings: ${msg}`);
    return 1;
  }
  if (cfg.networks.length === 0 && cfg.hostGroups.length === 0) {
    io.err('floodgate replay: no networks to protect (give --networks or detection.networks in -c FILE)');
    return 1;
  }
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    io.err(`floodgate replay: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const result = decodeCapture(buf, { mode: opts.mode ?? 'auto' });
  if (result.captureError === 'bad-magic') {
    io.err(`floodgate replay: ${file} is not a pcap or pcapng capture`);
    return 1;
  }
  const detector = new Detector(cfg, { node: 'replay' });
  const driver = new TimeDriver(detector);
  const names = result.exporters.map((e) => e.address);
  for (const b of result.sink.batches()) driver.feed(b, names);
  driver.drain(cfg.quietPeriod * 1000 + cfg.window + 1000);
  const attacks = summarise(driver.events, cfg.quietPeriod * 1000);
  if (opts.json) for (const a of attacks) io.out(JSON.stringify(a));
  else {
    const head = ['target', 'family', 'start', 'end', 'peakPps', 'peakBps', 'signature', 'reason'];
    const rows = attacks.map((a) => [
      a.target,
      a.family,
      a.start,
      a.end ?? '(open)',
      String(Math.round(a.peakPps)),
      String(Math.round(a.peakBps)),
      sigText(a.signature),
      a.reason,
    ]);
    const widths = head.map((_, k) => Math.max(head[k]!.length, ...rows.map((r) => r[k]!.length)));
    for (const r of [head, ...rows])
      io.out(
        r
          .map((v, k) => (k === r.length - 1 ? v : v.padEnd(widths[k]!)))
          .join('  ')
          .trimEnd(),
      );
  }
  const st = detector.stats();
  io.err(
    `${result.packets} packets (${result.mode} capture), ${st.records} records, ${st.notOurs} not ours, ${st.late} late, ${attacks.length} attacks`,
  );
  return 0;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'run detection over a capture (raw packets or flow export datagrams) in capture time and list the attacks',
    )
    .argument('<capture>', 'pcap or pcapng file')
    .option('-c, --config <file>', 'floodgate.yaml whose detection section to use')
    .option('--json', 'one JSON object per attack')
    .option('--networks <list>', 'comma-separated prefixes to protect (replaces detection.networks)')
    .option('--host-pps <n>', 'static incoming pps threshold per host')
    .option('--host-bps <n>', 'static incoming bps threshold per host')
    .option('--prefix-pps <n>', 'static incoming pps threshold per /24 (IPv4) or /64 (IPv6)')
    .option('--prefix-bps <n>', 'static incoming bps threshold per /24 or /64')
    .option('--mode <mode>', 'auto | export | raw (how to read the capture)', 'auto')
    .action((capture: string, opts: ReplayOptions) => {
      process.exitCode = runReplay(capture, opts, {
        out: (l) => process.stdout.write(l + '\n'),
        err: (l) => process.stderr.write(l + '\n'),
      });
    });
}
