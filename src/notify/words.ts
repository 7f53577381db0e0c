// Plain words for people: rates, attack families, mitigation intents, durations. Used by notices,
// templates and the public status page, so a customer reads "traffic is rate-limited", not "level 1".
import { BITS, PACKETS, formatRate } from '../domain/rate.js';
import type { Intent } from '../domain/rule.js';

/** Bits per second with an SI unit (1 decimal). */
export function formatBits(bps: number): string {
  return formatRate(bps, BITS);
}

export function formatPackets(pps: number): string {
  return formatRate(pps, PACKETS);
}

const FAMILY_WORDS: Record<string, string> = {
  udp_flood: 'UDP flood',
  syn_flood: 'SYN flood',
  ack_rst_flood: 'TCP ACK/RST flood',
  icmp_flood: 'ICMP flood',
  fragment_flood: 'IP fragment flood',
  gre_flood: 'GRE flood',
  dns_amplification: 'DNS amplification attack',
  ntp_amplification: 'NTP amplification attack',
  memcached_amplification: 'memcached amplification attack',
  ssdp_amplification: 'SSDP amplification attack',
  cldap_amplification: 'CLDAP amplification attack',
  chargen_amplification: 'chargen amplification attack',
  snmp_amplification: 'SNMP amplification attack',
  carpet_bombing: 'carpet-bombing attack across a network',
  unknown: 'traffic flood',
};

export function familyWords(family: string): string {
  return FAMILY_WORDS[family] ?? family.replace(/_/g, ' ');
}

/** What the mitigation does, as a customer would say it. Exhaustive over intents. */
export const INTENT_WORDS: Record<Intent, string> = {
  'rate-limit': 'attack traffic is rate-limited at the network edge',
  drop: 'attack traffic is dropped at the network edge',
  blackhole: 'traffic to the address is blackholed upstream while the attack lasts',
  'vrf-redirect': 'traffic is diverted through a cleaning network',
  'geo-lockdown': 'traffic is limited to the allowed countries',
  'syn-cookies': 'new connections are protected by SYN cookies',
  synproxy: 'new connections are checked by a SYN proxy',
  scrubbing: 'traffic is diverted to a scrubbing centre',
};

export const MONITORING = 'being watched; no mitigation needed yet';
export const NO_MITIGATION = 'no mitigation in place';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** "2026-12-03 10:02 UTC". */
export function shortTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
