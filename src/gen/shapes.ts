// Packet shapes of benign services and of each attack family: protocol, ports, TCP flags, fragment
// bits and IP length, drawn from a seeded Rng. Sizes follow public measurements of each vector
// (e.g. NTP monlist 468 bytes, memcached and CLDAP near MTU with fragments, SSDP ~300 bytes).

import type { AttackFamily } from '../domain/attack.js';
import { FRAG_FIRST, FRAG_IS_FRAGMENT, FRAG_LATER } from '../flow/batch.js';
import type { Rng } from './rng.js';

export interface Shape {
  proto: number;
  srcPort: number;
  dstPort: number;
  flags: number;
  frag: number;
  /** IP total length in bytes. */
  size: number;
}

export type Shaper = (rng: Rng, s: Shape, v6: boolean) => void;

const SYN = 0x02,
  ACK = 0x10,
  RST = 0x04,
  PSH = 0x08,
  FIN = 0x01;

const ephemeral = (rng: Rng) => rng.int(1024, 65535);

function set(
  s: Shape,
  proto: number,
  srcPort: number,
  dstPort: number,
  flags: number,
  frag: number,
  size: number,
): void {
  s.proto = proto;
  s.srcPort = srcPort;
  s.dstPort = dstPort;
  s.flags = flags;
  s.frag = frag;
  s.size = size;
}

/** A UDP reflection vector: service port, typical response sizes, share of non-first fragments. */
function amplification(port: number, min: number, max: number, fragShare: number): Shaper {
  return (rng, s) => {
    const r = rng.next();
    if (r < fragShare) set(s, 17, 0, 0, 0, FRAG_IS_FRAGMENT | FRAG_LATER, rng.int(200, 1500));
    else
      set(
        s,
        17,
        port,
        ephemeral(rng),
        0,
        r < fragShare * 2 ? FRAG_IS_FRAGMENT | FRAG_FIRST : 0,
        rng.int(min, max),
      );
  };
}

export type GeneratedFamily = Exclude<AttackFamily, 'unknown' | 'carpet_bombing'>;

export const ATTACK_SHAPES: Record<GeneratedFamily, Shaper> = {
  udp_flood: (rng, s) => set(s, 17, ephemeral(rng), rng.int(1, 65535), 0, 0, rng.int(60, 1400)),
  syn_flood: (rng, s) => set(s, 6, ephemeral(rng), rng.pick([80, 443]), SYN, 0, rng.int(40, 60)),
  ack_rst_flood: (rng, s) =>
    set(s, 6, ephemeral(rng), rng.pick([80, 443]), rng.next() < 0.5 ? ACK : RST, 0, 40),
  icmp_flood: (rng, s, v6) => set(s, v6 ? 58 : 1, 0, (v6 ? 128 : 8) << 8, 0, 0, rng.int(64, 1000)),
  fragment_flood: (rng, s) => set(s, 17, 0, 0, 0, FRAG_IS_FRAGMENT | FRAG_LATER, rng.int(1000, 1500)),
  gre_flood: (rng, s) => set(s, 47, 0, 0, 0, 0, rng.int(500, 1500)),
  dns_amplification: amplification(53, 1000, 1500, 0.04),
  ntp_amplification: amplification(123, 440, 490, 0),
  memcached_amplification: amplification(11211, 1400, 1500, 0.04),
  ssdp_amplification: amplification(1900, 280, 380, 0),
  cldap_amplification: amplification(389, 1200, 1500, 0.04),
  chargen_amplification: amplification(19, 100, 1000, 0),
  snmp_amplification: amplification(161, 500, 1500, 0.02),
};

export const BENIGN_MIXES = ['web', 'dns', 'game', 'mixed'] as const;
export type BenignMix = (typeof BENIGN_MIXES)[number];

/** A benign mix: weighted components, so flow records carry each component's exact share of a step. */
export type Mix = readonly (readonly [number, Shaper])[];

const webIn: Mix = [
  [0.9, (rng, s) => set(s, 6, ephemeral(rng), rng.next() < 0.8 ? 443 : 80, ACK | PSH, 0, rng.int(52, 600))],
  [0.04, (rng, s) => set(s, 6, ephemeral(rng), rng.next() < 0.8 ? 443 : 80, SYN, 0, 60)],
  [0.04, (rng, s) => set(s, 6, ephemeral(rng), rng.next() < 0.8 ? 443 : 80, ACK | FIN, 0, 52)],
  [0.02, (rng, s) => set(s, 6, ephemeral(rng), rng.next() < 0.8 ? 443 : 80, ACK | RST, 0, 40)],
];
const dnsIn: Mix = [[1, (rng, s) => set(s, 17, ephemeral(rng), 53, 0, 0, rng.int(60, 120))]];
const gameIn: Mix = [[1, (rng, s) => set(s, 17, ephemeral(rng), 27015, 0, 0, rng.int(60, 200))]];
const pingIn: Shaper = (_rng, s, v6) => set(s, v6 ? 58 : 1, 0, (v6 ? 128 : 8) << 8, 0, 0, 84);
const scale = (m: Mix, f: number): Mix => m.map(([w, sh]) => [w * f, sh] as const);

/** Requests towards one of our servers (incoming). */
export const BENIGN_IN: Record<BenignMix, Mix> = {
  web: webIn,
  dns: dnsIn,
  game: gameIn,
  mixed: [...scale(webIn, 0.7), ...scale(dnsIn, 0.2), ...scale(gameIn, 0.08), [0.02, pingIn]],
};

const webOut: Mix = [
  [1, (rng, s) => set(s, 6, rng.next() < 0.8 ? 443 : 80, ephemeral(rng), ACK | PSH, 0, rng.int(600, 1500))],
];
const dnsOut: Mix = [[1, (rng, s) => set(s, 17, 53, ephemeral(rng), 0, 0, rng.int(80, 500))]];
const gameOut: Mix = [[1, (rng, s) => set(s, 17, 27015, ephemeral(rng), 0, 0, rng.int(80, 400))]];

/** Responses from one of our servers (outgoing). */
export const BENIGN_OUT: Record<BenignMix, Mix> = {
  web: webOut,
  dns: dnsOut,
  game: gameOut,
  mixed: [...scale(webOut, 0.75), ...scale(dnsOut, 0.15), ...scale(gameOut, 0.1)],
};
