// Names the attack from a target's window sums, with the evidence as a sentence. Order matters:
// amplification (UDP from one well-known service port, counting the first fragments that carry the
// port) before fragment floods (an amplification that fragments is still named by its service),
// then TCP flag floods, ICMP, GRE, plain UDP; anything else is `unknown`.

import type { AttackFamily } from '../domain/attack.js';
import {
  AMP_PORTS,
  M_ACK_RST_ONLY,
  M_AMP0,
  M_FRAG,
  M_FRAG_LATER,
  M_GRE_PKTS,
  M_ICMP_PKTS,
  M_OTHER_PKTS,
  M_PKTS,
  M_SYN,
  M_TCP_PKTS,
  M_UDP_PKTS,
} from './metrics.js';

export interface Classification {
  readonly family: AttackFamily;
  readonly reason: string;
}

/** Share of packets needed to name a family. */
export const DOMINANT = 0.5;

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Classifies the full-width metric vector at sums[s .. s + METRIC_COUNT). */
export function classify(sums: Float64Array, s = 0): Classification {
  const at = (m: number) => sums[s + m] as number;
  const pkts = at(M_PKTS);
  if (!(pkts > 0)) return { family: 'unknown', reason: 'no traffic in window' };
  const udp = at(M_UDP_PKTS) / pkts;
  const tcp = at(M_TCP_PKTS) / pkts;
  const icmp = at(M_ICMP_PKTS) / pkts;
  const frag = at(M_FRAG) / pkts;
  const gre = at(M_GRE_PKTS) / pkts;
  // Non-first fragments carry no ports; judge the service port on the packets that do.
  const withPorts = pkts - at(M_FRAG_LATER);
  let best = -1;
  let bestPkts = 0;
  for (let a = 0; a < AMP_PORTS.length; a++) {
    if (at(M_AMP0 + a) > bestPkts) {
      bestPkts = at(M_AMP0 + a);
      best = a;
    }
  }
  if (best >= 0 && withPorts > 0 && bestPkts / withPorts >= DOMINANT && udp + frag >= DOMINANT) {
    const amp = AMP_PORTS[best] as (typeof AMP_PORTS)[number];
    return {
      family: amp.family,
      reason: `${pct(bestPkts / withPorts)} of packets with ports are UDP from source port ${amp.port}${frag > 0.05 ? `, ${pct(frag)} fragments` : ''}`,
    };
  }
  if (frag >= DOMINANT)
    return { family: 'fragment_flood', reason: `${pct(frag)} of packets are IP fragments` };
  if (tcp >= DOMINANT) {
    const tcpPkts = at(M_TCP_PKTS);
    const syn = at(M_SYN) / tcpPkts;
    const ackRst = at(M_ACK_RST_ONLY) / tcpPkts;
    if (syn >= DOMINANT)
      return { family: 'syn_flood', reason: `${pct(tcp)} TCP, ${pct(syn)} of it SYN without ACK` };
    if (ackRst >= DOMINANT)
      return { family: 'ack_rst_flood', reason: `${pct(tcp)} TCP, ${pct(ackRst)} of it only ACK and/or RST` };
  }
  if (icmp >= DOMINANT) return { family: 'icmp_flood', reason: `${pct(icmp)} of packets are ICMP` };
  if (gre >= DOMINANT) return { family: 'gre_flood', reason: `${pct(gre)} of packets are GRE (protocol 47)` };
  if (udp >= DOMINANT)
    return { family: 'udp_flood', reason: `${pct(udp)} of packets are UDP from no single service port` };
  const other = at(M_OTHER_PKTS) / pkts;
  return {
    family: 'unknown',
    reason: `no dominant vector (TCP ${pct(tcp)}, UDP ${pct(udp)}, ICMP ${pct(icmp)}, other ${pct(other)})`,
  };
}
