// Deterministic traffic scenarios for tests and benchmarks: benign traffic of many hosts (web, DNS and
// game mixes, diurnal swing, growth, steps, short bursts) with attacks of every family on top, written
// as FlowBatch records in time order — either sampled packets (sFlow-like 1:N, or raw packets at 1:1)
// or aggregated flow records (NetFlow-like, each covering one step). `steps()` yields after each time
// step so a caller can interleave detector ticks in scenario time.

import { FORMAT_CODE, type FlowFormat } from '../flow/batch.js';
import { type BatchSink, claim } from '../flow/sink.js';
import { ipToWords, parseIp, parsePrefix } from '../net/index.js';
import { Rng } from './rng.js';
import {
  ATTACK_SHAPES,
  BENIGN_IN,
  BENIGN_OUT,
  type BenignMix,
  type GeneratedFamily,
  type Mix,
  type Shape,
} from './shapes.js';

export interface BenignSpec {
  /** Our server addresses (IPv4 or IPv6 text). */
  readonly hosts: readonly string[];
  /** Mix per host, cycled over the hosts. */
  readonly mixes?: readonly BenignMix[];
  /** Mean incoming packets per second per host; each host draws its own rate around it (lognormal). */
  readonly ppsPerHost: number;
  /** Responses per request packet sent back (outgoing direction); 0 = none. */
  readonly responseRatio?: number;
  /** Relative amplitude (0..1) of the daily sine swing. */
  readonly diurnalAmplitude?: number;
  /** Period of the swing (default one day). */
  readonly diurnalPeriodMs?: number;
  /** Traffic multiplies by this factor, exponentially, over the scenario (1 = flat). */
  readonly growth?: number;
  /** A sudden legitimate change: from `atMs` on traffic is multiplied by `factor`. */
  readonly step?: { readonly atMs: number; readonly factor: number };
  /** Chance per host and second to start a short burst (×1.3–1.8 for 1–4 s). */
  readonly burstiness?: number;
  /** Clients per host (source addresses drawn from public space). */
  readonly clients?: number;
}

export type AttackKind = GeneratedFamily | 'carpet_bombing';

export interface AttackSpec {
  readonly family: AttackKind;
  /** Host address, or for carpet bombing the prefix whose hosts all get a share. */
  readonly target: string;
  /** Vector of a carpet bombing (default udp_flood). */
  readonly vector?: GeneratedFamily;
  /** Total packets per second (before sampling). */
  readonly pps: number;
  readonly startMs: number;
  readonly durationMs: number;
  /** Distinct (spoofed or reflector) source addresses. */
  readonly sources?: number;
  /** Hosts hit by a carpet bombing (default: up to 256 of the prefix). */
  readonly carpetHosts?: number;
}

export interface OutputSpec {
  /** sampled: one record per sampled packet; flows: aggregated records covering one step each. */
  readonly kind: 'sampled' | 'flows';
  /** 1:N packet sampling (sampled kind). */
  readonly samplingRate?: number;
  readonly format?: FlowFormat;
  readonly exporter?: number;
  /** flows kind: records per source and step. */
  readonly recordsPerStep?: number;
}

export interface ScenarioSpec {
  readonly seed: number;
  readonly startMs: number;
  readonly durationMs: number;
  /** Time step (default 10 ms sampled, 100 ms flows). */
  readonly stepMs?: number;
  readonly benign?: BenignSpec;
  readonly attacks?: readonly AttackSpec[];
  readonly output: OutputSpec;
}

interface Source {
  words: Uint32Array;
  family: 4 | 6;
  rate: (t: number) => number;
  /** Weighted components (an attack has one). */
  mix: Mix;
  outgoing: boolean;
  /** Remote addresses to draw from (count) and a seed offset. */
  peers: number;
  peerBase: number;
  /** Carpet: several destinations. */
  targets?: Uint32Array[];
}

function addrWords(text: string): { words: Uint32Array; family: 4 | 6 } {
  const ip = parseIp(text);
  const words = new Uint32Array(4);
  ipToWords(ip, words, 0);
  return { words, family: ip.family };
}

/** Deterministic public-looking peer address number k (IPv4 1.0.0.0–223.255.255.255 minus nothing special for tests). */
function peerWords(out: Uint32Array, off: number, family: 4 | 6, base: number, k: number): void {
  let h = Math.imul((base + k) ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  if (family === 4) {
    out[off] = ((11 + (h % 180)) << 24) | (Math.imul(h, 2654435761) >>> 8);
    out[off] >>>= 0;
    out[off + 1] = out[off + 2] = out[off + 3] = 0;
  } else {
    out[off] = 0x2a000000 | (h >>> 8);
    out[off + 1] = Math.imul(h, 0x27d4eb2f) >>> 0;
    out[off + 2] = k >>> 0;
    out[off + 3] = 1;
  }
}

function pickShaper(mix: Mix, u: number): Mix[number][1] {
  let acc = 0;
  for (const [w, sh] of mix) {
    acc += w;
    if (u < acc) return sh;
  }
  return (mix[mix.length - 1] as Mix[number])[1];
}

export class Scenario {
  private readonly rng: Rng;
  private readonly sources: Source[] = [];
  private readonly step: number;
  private readonly shape: Shape = { proto: 0, srcPort: 0, dstPort: 0, flags: 0, frag: 0, size: 0 };
  private readonly fmt: number;
  private readonly sampling: number;
  private readonly exporter: number;
  private readonly perStep: number;
  /** Packets generated before sampling, per source kind (for tests). */
  readonly totals = { benignPkts: 0, attackPkts: 0, records: 0 };

  constructor(readonly spec: ScenarioSpec) {
    this.rng = new Rng(spec.seed);
    const out = spec.output;
    this.step = spec.stepMs ?? (out.kind === 'sampled' ? 10 : 100);
    this.fmt = FORMAT_CODE[out.format ?? (out.kind === 'sampled' ? 'sflow5' : 'netflow9')];
    this.sampling = out.kind === 'sampled' ? (out.samplingRate ?? 1) : 1;
    this.exporter = out.exporter ?? 0;
    this.perStep = out.recordsPerStep ?? 4;
    if (spec.benign) this.addBenign(spec.benign);
    for (const a of spec.attacks ?? []) this.addAttack(a);
  }

  private addBenign(b: BenignSpec): void {
    const mixes = b.mixes ?? ['mixed'];
    const period = b.diurnalPeriodMs ?? 86_400_000;
    const amp = b.diurnalAmplitude ?? 0;
    const growth = b.growth ?? 1;
    const start = this.spec.startMs;
    const dur = this.spec.durationMs;
    const responses = b.responseRatio ?? 0;
    b.hosts.forEach((h, idx) => {
      const { words, family } = addrWords(h);
      const base = b.ppsPerHost * Math.exp(0.4 * this.rng.normal());
      const phase = this.rng.next() * 0.1 * period;
      // Bursts are drawn once per second per host, from a generator of their own.
      const burstRng = new Rng(this.spec.seed * 31 + idx);
      let burstUntil = 0;
      let burstFactor = 1;
      let lastSec = -1;
      const rate = (t: number): number => {
        const sec = Math.floor(t / 1000);
        if (b.burstiness && sec !== lastSec) {
          lastSec = sec;
          if (t >= burstUntil && burstRng.next() < b.burstiness) {
            burstUntil = t + burstRng.int(1, 4) * 1000;
            burstFactor = 1.3 + 0.5 * burstRng.next();
          }
        }
        const diurnal = 1 + amp * Math.sin((2 * Math.PI * (t - start + phase)) / period);
        const g = Math.pow(growth, (t - start) / dur);
        const st = b.step && t >= b.step.atMs ? b.step.factor : 1;
        return base * diurnal * g * st * (t < burstUntil ? burstFactor : 1);
      };
      const mix = mixes[idx % mixes.length] as BenignMix;
      const peers = b.clients ?? 2000;
      this.sources.push({
        words,
        family,
        rate,
        mix: BENIGN_IN[mix],
        outgoing: false,
        peers,
        peerBase: idx * 7919,
      });
      if (responses > 0)
        this.sources.push({
          words,
          family,
          rate: (t) => rate(t) * responses,
          mix: BENIGN_OUT[mix],
          outgoing: true,
          peers,
          peerBase: idx * 7919,
        });
    });
  }

  private addAttack(a: AttackSpec): void {
    const family = a.family === 'carpet_bombing' ? (a.vector ?? 'udp_flood') : a.family;
    const mix: Mix = [[1, ATTACK_SHAPES[family]]];
    const rate = (t: number) => (t >= a.startMs && t < a.startMs + a.durationMs ? a.pps : 0);
    const peerBase = 1_000_003 + this.sources.length * 104_729;
    if (a.family === 'carpet_bombing') {
      const p = parsePrefix(a.target);
      const hostBits = (p.family === 4 ? 32 : 128) - p.length;
      const n = Math.min(
        a.carpetHosts ?? 256,
        hostBits >= 31 ? 2 ** 31 : 2 ** hostBits - (p.family === 4 ? 2 : 1),
      );
      const targets: Uint32Array[] = [];
      for (let k = 1; k <= n; k++) {
        const w = new Uint32Array(4);
        ipToWords({ family: p.family, bytes: p.bytes }, w, 0);
        const last = p.family === 4 ? 0 : 3;
        w[last] = ((w[last] as number) + k) >>> 0;
        targets.push(w);
      }
      this.sources.push({
        words: targets[0] as Uint32Array,
        family: p.family,
        rate,
        mix,
        outgoing: false,
        peers: a.sources ?? 5000,
        peerBase,
        targets,
      });
      return;
    }
    const { words, family: fam } = addrWords(a.target);
    this.sources.push({
      words,
      family: fam,
      rate,
      mix,
      outgoing: false,
      peers: a.sources ?? 5000,
      peerBase,
    });
  }

  /** Generates the whole scenario into the sink, yielding the time after each step. */
  *steps(sink: BatchSink): Generator<number> {
    const end = this.spec.startMs + this.spec.durationMs;
    for (let t = this.spec.startMs; t < end; t += this.step) {
      const te = Math.min(end, t + this.step);
      for (let si = 0; si < this.sources.length; si++) this.emit(sink, this.sources[si] as Source, si, t, te);
      yield te;
    }
  }

  /** Runs all steps. */
  run(sink: BatchSink): void {
    for (const _ of this.steps(sink));
  }

  private emit(sink: BatchSink, src: Source, si: number, t0: number, t1: number): void {
    const rate = src.rate((t0 + t1) / 2);
    if (!(rate > 0)) return;
    const pkts = (rate * (t1 - t0)) / 1000;
    const attack = src.peerBase >= 1_000_003;
    if (attack) this.totals.attackPkts += pkts;
    else this.totals.benignPkts += pkts;
    const rng = this.rng;
    const sh = this.shape;
    const v6 = src.family === 6;
    if (this.spec.output.kind === 'sampled') {
      // Packets sampled 1:N arrive as a Poisson process of rate pkts/N; each picks a component by weight.
      const n = rng.poisson(pkts / this.sampling);
      for (let k = 0; k < n; k++) {
        pickShaper(src.mix, rng.next())(rng, sh, v6);
        const t = t0 + rng.next() * (t1 - t0);
        this.write(sink, src, si, 1, sh.size, t, t);
      }
      return;
    }
    // Flow records: every component gets its exact share of the step, split over a few records.
    for (const [w, shaper] of src.mix) {
      const cp = pkts * w;
      const n = Math.max(1, Math.min(this.perStep, Math.ceil(cp)));
      for (let k = 0; k < n; k++) {
        shaper(rng, sh, v6);
        // A benign TCP flow record carries the cumulative flags of a whole conversation (RFC 3954 §8 TCP_FLAGS).
        if (!attack && sh.proto === 6) sh.flags |= 0x10;
        this.write(sink, src, si, cp / n, (sh.size * cp) / n, t0, t1);
      }
    }
  }

  private write(
    sink: BatchSink,
    src: Source,
    _si: number,
    packets: number,
    bytes: number,
    s: number,
    e: number,
  ): void {
    const i = claim(sink);
    const b = sink.batch;
    const o = i * 4;
    const rng = this.rng;
    const dst = src.targets ? (src.targets[rng.int(0, src.targets.length - 1)] as Uint32Array) : src.words;
    const ours = src.outgoing ? b.srcAddr : b.dstAddr;
    const theirs = src.outgoing ? b.dstAddr : b.srcAddr;
    ours[o] = dst[0] as number;
    ours[o + 1] = dst[1] as number;
    ours[o + 2] = dst[2] as number;
    ours[o + 3] = dst[3] as number;
    peerWords(theirs, o, src.family, src.peerBase, rng.int(0, src.peers - 1));
    const sh = this.shape;
    b.family[i] = src.family;
    b.proto[i] = sh.proto;
    b.srcPort[i] = sh.srcPort;
    b.dstPort[i] = sh.dstPort;
    b.tcpFlags[i] = sh.flags;
    b.fragment[i] = sh.frag;
    b.packets[i] = packets;
    b.bytes[i] = this.spec.output.kind === 'sampled' ? sh.size : bytes;
    b.samplingRate[i] = this.sampling;
    b.exporter[i] = this.exporter;
    b.format[i] = this.fmt;
    b.startMs[i] = s;
    b.endMs[i] = e;
    this.totals.records++;
  }
}
