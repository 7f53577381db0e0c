// Flow ingest benchmarks (issue 3): records/s per format decoded from memory into FlowBatches on one core, and
// UDP loopback from a separate sender process (received vs sent datagrams at increasing rates).
// Run: npx tsx bench/flow.bench.ts (prints JSON), or through bench/run.ts via `run()`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowBatch } from '../src/flow/batch.js';
import { FlowCollector } from '../src/flow/collector.js';
import { udpOf } from '../src/flow/capture.js';
import { decodeDatagram } from '../src/flow/datagram.js';
import { ExporterState } from '../src/flow/exporter.js';
import { readCapture } from '../src/flow/pcap.js';
import type { BatchSink } from '../src/flow/sink.js';
import { ether, ipv4, ipv6, tcp, udp } from '../test/flow/traffic.js';
import {
  flowSample,
  ipfix,
  ipfixTemplate,
  nf5,
  nf9,
  rawHeader,
  set,
  sflow,
  v9Template,
  w,
  type Nf5Rec,
  type Spec,
} from '../test/flow/wire.js';

/** softflowd's IPv4 template (RIG §7.2), as routers send it. */
const TEMPLATE: Spec[] = [
  [8, 4],
  [12, 4],
  [22, 4],
  [21, 4],
  [1, 4],
  [2, 4],
  [10, 4],
  [14, 4],
  [61, 1],
  [136, 1],
  [7, 2],
  [11, 2],
  [4, 1],
  [6, 1],
  [60, 1],
  [5, 1],
];
const recordBytes = (k: number) =>
  w()
    .u32(0xc6120000 + (k % 65536))
    .u32(0xcb007105)
    .u32(1000)
    .u32(9000)
    .u32(1500 * ((k % 7) + 1))
    .u32((k % 7) + 1)
    .u32(1)
    .u32(2)
    .u8(0)
    .u8(1)
    .u16(1024 + (k % 60000))
    .u16(80)
    .u8(6)
    .u8(2)
    .u8(4)
    .u8(0)
    .build();
const RECS = 30;

function v9Datagrams(n: number): Buffer[] {
  const out = [
    nf9({ uptime: 10_000, secs: 1_800_000_000, seq: 0, sourceId: 1 }, [set(0, v9Template(256, TEMPLATE))]),
  ];
  for (let d = 0; d < n; d++)
    out.push(
      nf9({ uptime: 10_000, secs: 1_800_000_000, seq: d + 1, sourceId: 1 }, [
        set(256, Buffer.concat(Array.from({ length: RECS }, (_, k) => recordBytes(d * RECS + k)))),
      ]),
    );
  return out;
}

function ipfixDatagrams(n: number): Buffer[] {
  const opt = w().u16(400).u16(2).u16(1).u16(143).u16(4).u16(160).u16(8).build();
  const out = [
    ipfix({ exportSecs: 1_800_000_000, seq: 0, domain: 1 }, [
      set(2, ipfixTemplate(256, TEMPLATE)),
      set(3, opt),
      set(400, w().u32(1).u64(1_799_999_000_000).build()),
    ]),
  ];
  for (let d = 0; d < n; d++)
    out.push(
      ipfix({ exportSecs: 1_800_000_000, seq: 1 + d * RECS, domain: 1 }, [
        set(256, Buffer.concat(Array.from({ length: RECS }, (_, k) => recordBytes(d * RECS + k)))),
      ]),
    );
  return out;
}

function nf5Datagrams(n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let d = 0; d < n; d++) {
    const recs: Nf5Rec[] = Array.from({ length: RECS }, (_, k) => ({
      src: `198.18.${k}.${d % 250}`,
      dst: '203.0.113.5',
      pkts: 3,
      bytes: 4500,
      first: 1000,
      last: 9000,
      sport: 1024 + k,
      dport: 80,
      proto: 6,
      flags: 2,
    }));
    out.push(nf5({ uptime: 10_000, secs: 1_800_000_000, seq: d * RECS }, recs));
  }
  return out;
}

/** pmacct-sfprobe-like datagrams: 7 flow samples with 128-octet raw Ethernet headers (mixed IPv4 TCP/UDP, IPv6). */
function sflowDatagrams(n: number): Buffer[] {
  const frames = [
    ether(0x0800, ipv4('198.18.0.1', '203.0.113.5', 17, udp(53, 33000, new Uint8Array(200)))),
    ether(0x0800, ipv4('198.18.1.1', '203.0.113.5', 6, tcp(40000, 80, 2, new Uint8Array(0)))),
    ether(0x86dd, ipv6('2001:db8::1', '2001:db8::5', 17, udp(123, 40000, new Uint8Array(200)))),
  ].map((f) => f.subarray(0, Math.min(128, f.length)));
  const out: Buffer[] = [];
  for (let d = 0; d < n; d++)
    out.push(
      sflow(
        { agent: '192.0.2.1', subAgent: 1, seq: d + 1 },
        Array.from({ length: 7 }, (_, k) =>
          flowSample({ seq: d * 7 + k, rate: 1000, input: 1, output: 2 }, [
            rawHeader(1, 1246, frames[k % 3]!),
          ]),
        ),
      ),
    );
  return out;
}

/**
 * The UDP payloads of a real exporter capture, in order (issue 15): softflowd re-sends its templates every 16
 * datagrams, so the template refresh is measured too, not only data sets against a known template.
 */
function captureDatagrams(file: string): Buffer[] {
  const { packets } = readCapture(readFileSync(new URL(`../test/fixtures/flow/${file}`, import.meta.url)));
  const out: Buffer[] = [];
  for (const p of packets) {
    const u = udpOf(p);
    if (u) out.push(Buffer.from(u.payload));
  }
  return out;
}

class DiscardSink implements BatchSink {
  batch = new FlowBatch(4096);
  rotate(): void {
    this.batch.reset();
  }
}

function decodeRate(datagrams: Buffer[], minMs = 1500): number {
  const exp = new ExporterState(0, 'bench');
  const sink = new DiscardSink();
  // warm up the JIT (and learn templates from datagram 0)
  const w0 = performance.now();
  while (performance.now() - w0 < 300) for (const d of datagrams) decodeDatagram(d, exp, sink, 0);
  const start = exp.records;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let k = 1; k < datagrams.length; k++) decodeDatagram(datagrams[k]!, exp, sink, 0);
    t = performance.now();
  }
  const errs = Object.values(exp.errors).reduce((a, b) => a + b, 0);
  if (errs > 0) throw new Error(`benchmark datagrams produced ${errs} decode errors`);
  return Math.round(((exp.records - start) / (t - t0)) * 1000);
}

async function loopback(
  rate: number,
  duration: number,
  payload: Buffer,
): Promise<{ sent: number; received: number; seconds: number }> {
  let records = 0;
  const c = new FlowCollector({
    listen: [{ address: '127.0.10.1', port: 0 }],
    onBatch: (b) => (records += b.length),
  });
  const [bound] = await c.start();
  const count = Math.round(rate * duration);
  const sender = fileURLToPath(new URL('./flow-sender.ts', import.meta.url));
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        sender,
        '127.0.10.1',
        String(bound!.port),
        String(rate),
        String(count),
        payload.toString('hex'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`sender exited ${code}`))));
  });
  const { sent, seconds } = JSON.parse(out) as { sent: number; seconds: number };
  const t0 = Date.now();
  while (c.datagrams < sent && Date.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 20));
  await c.stop();
  void records;
  return { sent, received: c.datagrams, seconds };
}

export async function run(opts: { udp?: boolean } = {}): Promise<Record<string, number>> {
  const r: Record<string, number> = {};
  r['netflow5_records_per_s'] = decodeRate(nf5Datagrams(200));
  r['netflow9_records_per_s'] = decodeRate(v9Datagrams(200));
  r['ipfix_records_per_s'] = decodeRate(ipfixDatagrams(200));
  r['sflow5_raw_header_samples_per_s'] = decodeRate(sflowDatagrams(300));
  r['netflow9_softflowd_capture_records_per_s'] = decodeRate(captureDatagrams('softflowd-v9.pcap'));
  r['ipfix_softflowd_capture_records_per_s'] = decodeRate(captureDatagrams('softflowd-ipfix.pcap'));
  r['sflow5_sfprobe_capture_samples_per_s'] = decodeRate(captureDatagrams('sfprobe-sflow5.pcap'));
  if (opts.udp === false) return r;
  const small = nf5Datagrams(1)[0]!.subarray(0, 24 + 48);
  small.writeUInt16BE(1, 2); // one record: a 72-octet datagram, socket-bound
  const full = sflowDatagrams(1)[0]!;
  for (const rate of [50_000, 100_000, 200_000, 300_000]) {
    const s = await loopback(rate, 1, small);
    r[`udp_${rate / 1000}k_small_sent`] = s.sent;
    r[`udp_${rate / 1000}k_small_received`] = s.received;
    r[`udp_${rate / 1000}k_small_achieved_per_s`] = Math.round(s.sent / s.seconds);
  }
  for (const rate of [25_000, 50_000, 100_000]) {
    const s = await loopback(rate, 1, full);
    r[`udp_${rate / 1000}k_sflow7_sent`] = s.sent;
    r[`udp_${rate / 1000}k_sflow7_received`] = s.received;
    r[`udp_${rate / 1000}k_sflow7_achieved_per_s`] = Math.round(s.sent / s.seconds);
  }
  return r;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  console.log(JSON.stringify(await run({ udp: !process.argv.includes('--memory') }), null, 1));
