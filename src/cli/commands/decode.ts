// `floodgate decode CAPTURE [--json]`: prints every flow record found in a pcap/pcapng capture of export
// datagrams (sFlow v5, NetFlow v5/v9, IPFIX; recognised by content) or of raw traffic; errors summarised on stderr.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FLOW_FORMATS, type FlowBatch } from '../../flow/batch.js';
import { decodeCapture, type CaptureDecodeResult } from '../../flow/capture.js';
import { FLOW_ERROR_KINDS } from '../../flow/errors.js';
import { wordsToIpString } from '../../net/address.js';

export interface DecodeRow {
  exporter: string;
  format: string;
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  tcpFlags: number;
  packets: number;
  bytes: number;
  samplingRate: number;
  tos: number;
  fragment: number;
  inIf: number;
  outIf: number;
  srcAs: number;
  dstAs: number;
  vlan: number;
  startMs: number;
  endMs: number;
}

export function rowsOf(result: Pick<CaptureDecodeResult, 'sink' | 'exporters'>): DecodeRow[] {
  const rows: DecodeRow[] = [];
  for (const b of result.sink.batches()) for (let i = 0; i < b.length; i++) rows.push(rowAt(b, i, result));
  return rows;
}

function rowAt(b: FlowBatch, i: number, r: Pick<CaptureDecodeResult, 'exporters'>): DecodeRow {
  const fam = b.family[i] === 6 ? 6 : 4;
  return {
    exporter: r.exporters[b.exporter[i]!]?.address ?? '?',
    format: FLOW_FORMATS[b.format[i]!] ?? '?',
    src: wordsToIpString(b.srcAddr, i * 4, fam),
    dst: wordsToIpString(b.dstAddr, i * 4, fam),
    proto: b.proto[i]!,
    sport: b.srcPort[i]!,
    dport: b.dstPort[i]!,
    tcpFlags: b.tcpFlags[i]!,
    packets: b.packets[i]!,
    bytes: b.bytes[i]!,
    samplingRate: b.samplingRate[i]!,
    tos: b.tos[i]!,
    fragment: b.fragment[i]!,
    inIf: b.inIf[i]!,
    outIf: b.outIf[i]!,
    srcAs: b.srcAs[i]!,
    dstAs: b.dstAs[i]!,
    vlan: b.vlan[i]!,
    startMs: b.startMs[i]!,
    endMs: b.endMs[i]!,
  };
}

export interface DecodeIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const COLUMNS: (keyof DecodeRow)[] = [
  'exporter',
  'format',
  'src',
  'dst',
  'proto',
  'sport',
  'dport',
  'tcpFlags',
  'packets',
  'bytes',
  'samplingRate',
];

/** The command's action; returns the exit code (0 ok, 1 unreadable capture, 2 decode errors seen). */
export function runDecode(
  file: string,
  opts: { json?: boolean; mode?: 'auto' | 'export' | 'raw' },
  io: DecodeIo,
): number {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    io.err(`floodgate decode: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const result = decodeCapture(buf, { mode: opts.mode ?? 'auto' });
  if (result.captureError === 'bad-magic') {
    io.err(`floodgate decode: ${file} is not a pcap or pcapng capture`);
    return 1;
  }
  const rows = rowsOf(result);
  if (opts.json) {
    for (const r of rows) io.out(JSON.stringify(r));
  } else {
    const table = [
      COLUMNS.map(String),
      ...rows.map((r) =>
        COLUMNS.map((c) =>
          c === 'tcpFlags' ? `0x${r.tcpFlags.toString(16).padStart(2, '0')}` : String(r[c]),
        ),
      ),
    ];
    const widths = COLUMNS.map((_, k) => Math.max(...table.map((row) => row[k]!.length)));
    for (const row of table)
      io.out(
        row
          .map((v, k) => v.padEnd(widths[k]!))
          .join('  ')
          .trimEnd(),
      );
  }
  let errors = 0;
  const parts: string[] = [];
  for (const e of result.exporters) {
    for (const k of FLOW_ERROR_KINDS) {
      if (e.errors[k] > 0) {
        errors += e.errors[k];
        parts.push(`${e.address} ${k}=${e.errors[k]}`);
      }
    }
  }
  io.err(
    `${result.packets} packets (${result.mode} capture), ${rows.length} records, ${result.skipped} skipped, ${errors} decode errors` +
      (parts.length ? `: ${parts.join(', ')}` : '') +
      (result.captureError ? `; capture ${result.captureError} after ${result.packets} packets` : ''),
  );
  return errors > 0 || result.captureError ? 2 : 0;
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description(
      'print every flow record in a pcap/pcapng capture of sFlow/NetFlow/IPFIX datagrams (or of raw traffic)',
    )
    .argument('<capture>', 'pcap or pcapng file')
    .option('--json', 'one JSON object per line')
    .option(
      '--mode <mode>',
      'auto | export | raw (auto: export datagrams if most packets are recognised)',
      'auto',
    )
    .action((capture: string, opts: { json?: boolean; mode?: 'auto' | 'export' | 'raw' }) => {
      process.exitCode = runDecode(capture, opts, {
        out: (l) => process.stdout.write(l + '\n'),
        err: (l) => process.stderr.write(l + '\n'),
      });
    });
}
