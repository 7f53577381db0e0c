// `floodgate analyze CAPTURE [--json] [--top N] [--min-share X]`: the attack report of a capture of raw traffic
// (families, top sources and ports, packet-size histogram, the FlowSpec rules the engine would deploy).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { analyze, type AnalyzeReport, type Ranked } from '../../forensics/analyze.js';
import { decodeCapture } from '../../flow/capture.js';
import { COMPACT, formatRate } from '../../domain/rate.js';

export interface AnalyzeCliOptions {
  json?: boolean;
  top?: string;
  minShare?: string;
}

export interface AnalyzeIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const si = (x: number) => formatRate(x, COMPACT);

function list(title: string, rows: readonly Ranked[]): string[] {
  if (rows.length === 0) return [];
  const w = Math.max(...rows.map((r) => r.key.length));
  return [
    title,
    ...rows.map((r) => `  ${r.key.padEnd(w)}  ${String(r.packets).padStart(9)}  ${pct(r.share).padStart(6)}`),
  ];
}

export function renderReport(r: AnalyzeReport): string[] {
  const out = [
    `${r.packets} packets, ${r.bytes} bytes over ${r.seconds.toFixed(3)} s (${si(r.packets / r.seconds)} pps, ${si((r.bytes * 8) / r.seconds)}bps)`,
    ...list('protocols', r.protocols),
    ...list('top sources', r.sources),
    ...list('top destinations', r.destinations),
    ...list('top destination ports (proto/port)', r.destinationPorts),
    ...list('top source ports (proto/port)', r.sourcePorts),
    'packet sizes (bytes as captured)',
    ...r.sizes.map((s, k) =>
      `  ${(s.upTo === null ? `> ${r.sizes[k - 1]?.upTo ?? 0}` : `<= ${s.upTo}`).padEnd(8)}  ${String(s.packets).padStart(9)}  ${pct(s.share).padStart(6)}  ${'#'.repeat(Math.round(s.share * 40))}`.trimEnd(),
    ),
  ];
  if (r.targets.length === 0) out.push('no destination holds enough of the traffic to be called a target');
  for (const t of r.targets) {
    out.push(
      `target ${t.target}: ${t.family} (${t.reason}); ${t.packets} packets = ${pct(t.share)}, ${si(t.pps)} pps, ${si(t.bps)}bps`,
      `  signature ${JSON.stringify(t.signature)}`,
      ...t.rules.map(
        (x) =>
          `  level ${x.level} ${x.intent}${x.whenBps !== null ? ` (above ${si(x.whenBps)}bps)` : ''}: ${x.flowspec} then ${x.actions
            .map((a) =>
              a.kind === 'traffic-rate-bytes'
                ? a.bytesPerSecond === 0
                  ? 'discard'
                  : `rate-limit ${a.bytesPerSecond} bytes/s`
                : a.kind,
            )
            .join(', ')}`,
      ),
    );
  }
  return out;
}

/** The command's action; returns the exit code (0 ok, 1 bad input). */
export function runAnalyze(file: string, opts: AnalyzeCliOptions, io: AnalyzeIo): number {
  const top = opts.top === undefined ? 10 : Number(opts.top);
  const minShare = opts.minShare === undefined ? 0.1 : Number(opts.minShare);
  if (!Number.isInteger(top) || top < 1 || top > 1000) {
    io.err(`floodgate analyze: --top: expected an integer 1-1000, found "${opts.top}"`);
    return 1;
  }
  if (!(minShare > 0 && minShare <= 1)) {
    io.err(`floodgate analyze: --min-share: expected a share in (0, 1], found "${opts.minShare}"`);
    return 1;
  }
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    io.err(`floodgate analyze: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const result = decodeCapture(buf, { mode: 'raw' });
  if (result.captureError === 'bad-magic') {
    io.err(`floodgate analyze: ${file} is not a pcap or pcapng capture`);
    return 1;
  }
  const report = analyze(result.sink.batches(), { top, minShare });
  if (opts.json) io.out(JSON.stringify(report));
  else for (const l of renderReport(report)) io.out(l);
  io.err(
    `${result.packets} packets read, ${result.skipped} not IP${result.captureError ? `, capture ${result.captureError} (packets before it kept)` : ''}`,
  );
  return 0;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description(
      'attack report of a capture of raw traffic: families, top sources and ports, sizes, the FlowSpec rules floodgate would deploy',
    )
    .argument('<capture>', 'pcap or pcapng file of raw packets')
    .option('--json', 'the report as one JSON object')
    .option('--top <n>', 'rows in each top list', '10')
    .option('--min-share <x>', 'a destination with this share of the packets is reported as a target', '0.1')
    .action((capture: string, opts: AnalyzeCliOptions) => {
      process.exitCode = runAnalyze(capture, opts, {
        out: (l) => process.stdout.write(l + '\n'),
        err: (l) => process.stderr.write(l + '\n'),
      });
    });
}
