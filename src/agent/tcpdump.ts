// Packet capture through tcpdump itself (AF_PACKET via libpcap): `tcpdump -i IFACE -w - -s SNAP -U
// --immediate-mode -n [-Q DIR]` streams classic pcap on stdout into a PcapStream. argv only, no shell.
import { spawn, type ChildProcess } from 'node:child_process';
import { PcapStream, type PcapRecordSink } from './pcap-stream.js';

export interface CaptureOptions {
  readonly tcpdump: string;
  readonly interface: string;
  readonly snaplen: number;
  /** 'in' = received packets only (tcpdump -Q in); 'inout' = both directions. */
  readonly direction: 'in' | 'inout';
  /** Optional BPF filter expression (one argv element per word is not needed: tcpdump joins them). */
  readonly filter?: string;
}

export function tcpdumpArgs(o: CaptureOptions): string[] {
  return [
    '-i',
    o.interface,
    '-w',
    '-',
    '-s',
    String(o.snaplen),
    '-U',
    '--immediate-mode',
    '-n',
    ...(o.direction === 'in' ? ['-Q', 'in'] : []),
    ...(o.filter ? [o.filter] : []),
  ];
}

export interface Capture {
  readonly child: ChildProcess;
  readonly stream: PcapStream;
  /** Resolves with tcpdump's exit code (null when killed by a signal) and its last stderr lines. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  stop(): void;
}

export function startCapture(o: CaptureOptions, onRecord: PcapRecordSink): Capture {
  const child = spawn(o.tcpdump, tcpdumpArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  const stream = new PcapStream(onRecord);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  child.stdout.on('data', (d: Buffer) => {
    if (!stream.push(d)) child.kill('SIGTERM');
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('error', (e) => resolve({ code: null, stderr: `${stderr}${String(e)}` }));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  return {
    child,
    stream,
    exited,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
