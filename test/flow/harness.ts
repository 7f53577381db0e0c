// Test harness: runs real exporters (softflowd, pmacctd sfprobe) against our own UDP socket on 127.0.10.0/24,
// records the datagrams, writes them as a pcap, and reads tshark's independent decode of that pcap.
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap, type PcapPacket } from '../../src/flow/pcap-writer.js';
import { expect } from 'vitest';
import type { DecodeRow } from '../../src/cli/commands/decode.js';
import { ether, ipv4, udp } from './traffic.js';

export const LOOP = '127.0.10.1';

export function requireBinary(path: string, pkg: string): void {
  if (!existsSync(path))
    throw new Error(`${path} not found: install the Debian package '${pkg}' (apt-get install ${pkg})`);
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'fgfl-'));
}

export interface Recorded {
  port: number;
  datagrams: { src: string; sport: number; data: Buffer; timeMs: number }[];
}

/** Binds a recorder on LOOP:0, runs `start(port)`, resolves once the process exited and the socket was quiet for `quietMs`. */
export async function record(
  start: (port: number) => Promise<void>,
  quietMs = 400,
  maxMs = 30_000,
): Promise<Recorded> {
  const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  const rec: Recorded = { port: 0, datagrams: [] };
  let last = Date.now();
  s.on('message', (m, r) => {
    last = Date.now();
    rec.datagrams.push({ src: r.address, sport: r.port, data: Buffer.from(m), timeMs: Date.now() });
  });
  await new Promise<void>((res) => s.bind(0, LOOP, () => res()));
  rec.port = s.address().port;
  const t0 = Date.now();
  await start(rec.port);
  while (Date.now() - last < quietMs && Date.now() - t0 < maxMs) await new Promise((r) => setTimeout(r, 50));
  s.close();
  return rec;
}

/** Runs a command to completion with a hard timeout; rejects with its stderr on failure. */
export function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    p.on('exit', (code, sig) => {
      clearTimeout(t);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? sig}: ${err}`));
    });
  });
}

/** softflowd reading `pcapFile` and exporting NetFlow v5 / v9 / IPFIX (10) to LOOP:port (RIG §7.2). */
export async function softflowd(
  pcapFile: string,
  version: 5 | 9 | 10,
  port: number,
  dir: string,
): Promise<void> {
  requireBinary('/usr/sbin/softflowd', 'softflowd');
  await run('/usr/sbin/softflowd', [
    '-d',
    '-6',
    '-a',
    '-r',
    pcapFile,
    '-n',
    `${LOOP}:${port}`,
    '-v',
    String(version),
    '-p',
    join(dir, `sf${version}.pid`),
    '-c',
    'none',
  ]);
}

/** pmacctd with the sfprobe plugin exporting sFlow v5 of `pcapFile` to LOOP:port (RIG §7.5); stopped with SIGINT. */
export async function sfprobe(pcapFile: string, port: number, dir: string, settleMs = 4000): Promise<void> {
  requireBinary('/usr/sbin/pmacctd', 'pmacct');
  const conf = join(dir, 'sfprobe.conf');
  writeFileSync(
    conf,
    [
      'daemonize: false',
      `pidfile: ${join(dir, 'sfprobe.pid')}`,
      `logfile: ${join(dir, 'pmacctd.log')}`,
      `pcap_savefile: ${pcapFile}`,
      'pcap_savefile_wait: true',
      'plugins: sfprobe[sf]',
      `sfprobe_receiver[sf]: ${LOOP}:${port}`,
      'sfprobe_agentip[sf]: 127.0.10.2',
      'sfprobe_agentsubid[sf]: 1',
      'sfprobe_ifindex[sf]: 1',
      '',
    ].join('\n'),
  );
  const p = spawn('/usr/sbin/pmacctd', ['-f', conf], { stdio: 'ignore', detached: true });
  await new Promise((r) => setTimeout(r, settleMs));
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    p.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
    try {
      process.kill(-p.pid!, 'SIGINT');
    } catch {
      resolve();
    }
  });
}

/** Wraps recorded datagrams as Ethernet/IPv4/UDP frames from their source to LOOP:dport (default: the port used). */
export function exportPcap(rec: Recorded, dport = rec.port): Buffer {
  const pk: PcapPacket[] = rec.datagrams.map((d) => ({
    timeMs: d.timeMs,
    data: ether(0x0800, ipv4(d.src, LOOP, 17, udp(d.sport, dport, d.data))),
  }));
  return writePcap(pk);
}

/** tshark's decode (`-T json`) of a capture, dissecting udp.port==port as `proto`. */
export function tsharkJson(file: string, port: number, proto: 'cflow' | 'sflow'): unknown[] {
  requireBinary('/usr/bin/tshark', 'tshark');
  const out = execFileSync(
    '/usr/bin/tshark',
    ['-r', file, '-d', `udp.port==${port},${proto}`, '-T', 'json', '--no-duplicate-keys'],
    {
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return JSON.parse(out.toString()) as unknown[];
}

/** Every object in tshark's tree that satisfies `isRecord`, in document order. */
export function collect(
  node: unknown,
  isRecord: (o: Record<string, unknown>) => boolean,
  out: Record<string, unknown>[] = [],
): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const n of node) collect(n, isRecord, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (isRecord(o)) out.push(o);
    else for (const v of Object.values(o)) collect(v, isRecord, out);
  }
  return out;
}

export interface TsharkFlow {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  tcpFlags: number;
  packets: number;
  bytes: number;
  tos: number;
  /** Expected start in epoch ms from the header and the record's relative start, when tshark shows it. */
  startMs?: number;
}

export function tsharkFlows(file: string, port: number): TsharkFlow[] {
  const flows: TsharkFlow[] = [];
  for (const pkt of tsharkJson(file, port, 'cflow')) {
    const c = (pkt as { _source: { layers: { cflow: Record<string, unknown> } } })._source.layers.cflow;
    const ts = c['cflow.timestamp_tree'] as Record<string, string> | undefined;
    const exportMs = ts
      ? Number(ts['cflow.unix_secs']) * 1000 + Math.floor(Number(ts['cflow.unix_nsecs'] ?? 0) / 1e6)
      : NaN;
    const uptimeMs = Math.round(Number(c['cflow.sysuptime']) * 1000);
    for (const r of collect(
      c,
      (o) => 'cflow.protocol' in o && ('cflow.srcaddr' in o || 'cflow.srcaddrv6' in o),
    )) {
      const f: TsharkFlow = {
        src: String(r['cflow.srcaddr'] ?? r['cflow.srcaddrv6']),
        dst: String(r['cflow.dstaddr'] ?? r['cflow.dstaddrv6']),
        proto: Number(r['cflow.protocol']),
        sport: Number(r['cflow.srcport']),
        dport: Number(r['cflow.dstport']),
        tcpFlags: Number(r['cflow.tcpflags']),
        packets: Number(r['cflow.packets']),
        bytes: Number(r['cflow.octets']),
        tos: Number(r['cflow.tos']),
      };
      const td = r['cflow.timedelta_tree'] as Record<string, string> | undefined;
      if (td?.['cflow.timestart'] !== undefined && Number.isFinite(exportMs))
        f.startMs = exportMs - uptimeMs + Math.round(Number(td['cflow.timestart']) * 1000);
      flows.push(f);
    }
  }
  return flows;
}

export function compareFlows(rows: DecodeRow[], flows: TsharkFlow[]): void {
  expect(rows.length).toBe(flows.length);
  rows.forEach((r, k) => {
    const f = flows[k]!;
    expect(
      {
        src: r.src,
        dst: r.dst,
        proto: r.proto,
        sport: r.sport,
        dport: r.dport,
        tcpFlags: r.tcpFlags,
        packets: r.packets,
        bytes: r.bytes,
        tos: r.tos,
      },
      `record ${k}`,
    ).toEqual({
      src: f.src,
      dst: f.dst,
      proto: f.proto,
      sport: f.sport,
      dport: f.dport,
      tcpFlags: f.tcpFlags,
      packets: f.packets,
      bytes: f.bytes,
      tos: f.tos,
    });
    if (f.startMs !== undefined) expect(r.startMs, `record ${k} start`).toBe(f.startMs);
  });
}

type Obj = Record<string, unknown>;

function find(o: unknown, key: string): Obj | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const r = o as Obj;
  if (key in r) return r;
  for (const v of Object.values(r)) {
    const f = find(v, key);
    if (f) return f;
  }
  return undefined;
}

/** tshark's view of every sFlow flow sample with an IP raw header, as decode rows. */
export function sflowSamples(file: string, port: number): Record<string, string | number>[] {
  const expected: Record<string, string | number>[] = [];
  for (const pkt of tsharkJson(file, port, 'sflow')) {
    const layer = (pkt as { _source: { layers: { sflow: Obj } } })._source.layers.sflow;
    for (const s of collect(layer, (o) => 'sflow.flow_sample.sampling_rate' in o)) {
      const raw = find(s, 'sflow_245.header.frame_length')!;
      const h = raw['sflow_245.header_tree'] as Obj;
      const ip = (h['ip'] ?? h['ipv6']) as Obj;
      const l4 = (h['tcp'] ?? h['udp']) as Obj;
      const v6 = 'ipv6' in h;
      expected.push({
        src: String(v6 ? ip['ipv6.src'] : ip['ip.src']),
        dst: String(v6 ? ip['ipv6.dst'] : ip['ip.dst']),
        proto: Number(v6 ? ip['ipv6.nxt'] : ip['ip.proto']),
        sport: Number(l4['tcp.srcport'] ?? l4['udp.srcport']),
        dport: Number(l4['tcp.dstport'] ?? l4['udp.dstport']),
        tcpFlags: 'tcp.flags' in l4 ? Number(l4['tcp.flags']) & 0xff : 0,
        tos: Number(v6 ? ip['ipv6.tclass'] : ip['ip.dsfield']),
        packets: 1,
        // floodgate counts the IP length (flow.packetLength: ip), not the sampled frame's length
        bytes: v6 ? Number(ip['ipv6.plen']) + 40 : Number(ip['ip.len']),
        samplingRate: Number(s['sflow.flow_sample.sampling_rate']),
        inIf: Number(s['sflow.flow_sample.input_interface']),
      });
    }
  }
  return expected;
}
