// Host agent capture path (issue 17): packets/s through the pcap stream reader + 1-in-N sampler + header
// parser + Detector ingest on one core, from an in-memory tcpdump-format stream in 64 KiB chunks (what a
// pipe delivers), at sampling 1 in 1 and 1 in 100. tcpdump's own cost (a copy per packet) is not included.
// Run: npx tsx bench/agent.bench.ts (prints JSON), or `npm run bench -- agent`.
import { runIfMain } from './main.js';
import { PcapStream } from '../src/agent/pcap-stream.js';
import { PacketSampler } from '../src/agent/sampler.js';
import { parseDetectionConfig } from '../src/detect/config.js';
import { Detector } from '../src/detect/detector.js';

function stream(packets: number): Uint8Array {
  const frameLen = 14 + 28 + 64;
  const out = new Uint8Array(24 + packets * (16 + frameLen));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  const t0 = Math.floor(Date.now() / 1000);
  for (let k = 0; k < packets; k++) {
    dv.setUint32(o, t0, true);
    dv.setUint32(o + 4, k % 1_000_000, true);
    dv.setUint32(o + 8, frameLen, true);
    dv.setUint32(o + 12, frameLen, true);
    const f = o + 16;
    out[f + 12] = 0x08;
    out[f + 14] = 0x45;
    dv.setUint16(f + 16, 92);
    out[f + 23] = 17;
    dv.setUint32(f + 26, (0xc6336400 + (k & 0xff)) >>> 0); // 198.51.100.x
    dv.setUint32(f + 30, 0x0a000002 + (k & 0x3f)); // 10.0.0.2-65
    dv.setUint16(f + 34, 1024 + (k & 0x3ff));
    dv.setUint16(f + 36, 53);
    o += 16 + frameLen;
  }
  return out;
}

function measure(rate: number, bytes: Uint8Array, packets: number): number {
  const det = new Detector(parseDetectionConfig({ networks: ['10.0.0.0/24'] }), { node: 'agent' });
  const s = new PacketSampler(rate, 4096, (b) => det.ingest(b, ['agent']));
  const p = new PcapStream(s.record);
  const t0 = performance.now();
  for (let o = 0; o < bytes.length; o += 65536) p.push(bytes.subarray(o, o + 65536));
  s.flushNow();
  const ms = performance.now() - t0;
  if (s.stats.seen !== packets) throw new Error(`read ${s.stats.seen} of ${packets}`);
  return Math.round((packets * 1000) / ms);
}

export async function run(): Promise<Record<string, number>> {
  const n = 1_000_000;
  const bytes = stream(n);
  measure(100, bytes, n); // warm-up
  return {
    packetsPerSecondSampling1in1: measure(1, bytes, n),
    packetsPerSecondSampling1in100: measure(100, bytes, n),
  };
}

runIfMain(import.meta.url, run);
