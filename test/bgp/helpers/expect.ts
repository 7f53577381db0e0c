// Expected views of the interop matrix (helpers/matrix.ts) in each daemon's own words, written from each
// daemon's documented display of the RFC 8955/8956 fields; the tests compare them field by field.
import { hex } from '../../../src/bgp/codec/bytes.js';
import { flowSpecActions } from '../../../src/bgp/render.js';
import type { Rule } from '../../../src/domain/rule.js';
import { encodeFlowSpecAction } from '../../../src/flowspec/index.js';

/** `birdc show route table flowtabN` network column. */
export const BIRD_NET: Readonly<Record<string, string>> = {
  'f4-src-proto': 'flow4 { dst 203.0.113.10/32; src 198.51.100.0/24; proto 6; }',
  'f4-port': 'flow4 { dst 203.0.113.11/32; proto 6; port 80,443; }',
  'f4-dport': 'flow4 { dst 203.0.113.12/32; proto 17; dport 1024..2048; }',
  'f4-sport': 'flow4 { dst 203.0.113.13/32; proto 17; sport 53; }',
  'f4-icmp': 'flow4 { dst 203.0.113.14/32; proto 1; icmp type 8; icmp code 0; }',
  'f4-tcpflags': 'flow4 { dst 203.0.113.15/32; proto 6; tcp flags 0x2/0x2 && 0x0/0x10; }',
  'f4-len': 'flow4 { dst 203.0.113.16/32; length >= 1000; }',
  'f4-dscp': 'flow4 { dst 203.0.113.17/32; dscp 46; }',
  'f4-frag': 'flow4 { dst 203.0.113.18/32; fragment !!is_fragment; }',
  'f4-redirect-as4': 'flow4 { dst 203.0.113.19/32; proto 6; }',
  'f6-src-nh': 'flow6 { dst 2001:db8::10/128; src 2001:db8:1::/48; next header 17; dport 53; }',
  'f6-port': 'flow6 { dst 2001:db8::11/128; port 80,443; }',
  'f6-sport': 'flow6 { dst 2001:db8::12/128; next header 17; sport 1024..2048; }',
  'f6-icmp': 'flow6 { dst 2001:db8::13/128; next header 58; icmp type 128; icmp code 0; }',
  'f6-tcpflags': 'flow6 { dst 2001:db8::14/128; next header 6; tcp flags 0x2/0x2 && 0x0/0x10; }',
  'f6-len': 'flow6 { dst 2001:db8::15/128; length >= 1000; }',
  'f6-dscp': 'flow6 { dst 2001:db8::16/128; dscp 46; }',
  'f6-frag': 'flow6 { dst 2001:db8::17/128; fragment !!is_fragment; }',
  'f6-label': 'flow6 { dst 2001:db8::18/128; label 1234; }',
  'f6-offset': 'flow6 { dst ::1234:5678:0:0/96 offset 64; }',
};

/** `show bgp ipvX flowspec detail`: component lines and the FS: action line. */
export const FRR_FLOW: Readonly<Record<string, { lines: string[]; actions: string }>> = {
  'f4-src-proto': {
    lines: ['Destination Address 203.0.113.10/32', 'Source Address 198.51.100.0/24', 'IP Protocol = 6'],
    actions: 'FS:rate 0.000000',
  },
  'f4-port': {
    lines: ['Destination Address 203.0.113.11/32', 'IP Protocol = 6', 'Port = 80 , = 443'],
    actions: 'FS:rate 125000.000000',
  },
  // FRR 8.4 does not know traffic-rate-packets (0x800c): it prints it as an unknown community, no action.
  'f4-dport': {
    lines: [
      'Destination Address 203.0.113.12/32',
      'IP Protocol = 17',
      'Destination Port >= 1024 , <= 2048',
      'UNK:128, 12',
    ],
    actions: '',
  },
  // FRR prints only the terminal bit of traffic-action.
  'f4-sport': {
    lines: ['Destination Address 203.0.113.13/32', 'IP Protocol = 17', 'Source Port = 53'],
    actions: 'FS:action eval stops',
  },
  'f4-icmp': {
    lines: ['Destination Address 203.0.113.14/32', 'IP Protocol = 1', 'ICMP Type = 8', 'ICMP Code = 0'],
    actions: 'FS:redirect VRF RT:65030:100',
  },
  'f4-tcpflags': {
    lines: ['Destination Address 203.0.113.15/32', 'IP Protocol = 6', 'TCP Flags = 2,&∋ ! 16'],
    actions: 'FS:marking 10',
  },
  'f4-len': {
    lines: ['Destination Address 203.0.113.16/32', 'Packet Length >= 1000', 'NLRI NH 100.64.0.9'],
    actions: 'FS:redirect IP 0x0',
  },
  'f4-dscp': {
    lines: ['Destination Address 203.0.113.17/32', 'DSCP field = 46'],
    actions: 'FS:redirect VRF RT:10.0.0.1:100',
  },
  'f4-frag': {
    lines: ['Destination Address 203.0.113.18/32', 'Packet Fragment ∋ 2'],
    actions: 'FS:rate 0.000000',
  },
  // FRR 8.4 misprints the 2-octet local administrator of a 4-octet-AS redirect (we send 100; BIRD and gobgp read 100).
  'f4-redirect-as4': {
    lines: ['Destination Address 203.0.113.19/32', 'IP Protocol = 6'],
    actions: 'FS:redirect VRF RT:4200000000:1',
  },
  'f6-src-nh': {
    lines: [
      'Destination Address 2001:db8::10/128/off 0',
      'Source Address 2001:db8:1::/48/off 0',
      'IP Protocol = 17',
      'Destination Port = 53',
    ],
    actions: 'FS:rate 0.000000',
  },
  'f6-port': {
    lines: ['Destination Address 2001:db8::11/128/off 0', 'Port = 80 , = 443'],
    actions: 'FS:rate 125000.000000',
  },
  'f6-sport': {
    lines: [
      'Destination Address 2001:db8::12/128/off 0',
      'IP Protocol = 17',
      'Source Port >= 1024 , <= 2048',
      'UNK:128, 12',
    ],
    actions: '',
  },
  'f6-icmp': {
    lines: [
      'Destination Address 2001:db8::13/128/off 0',
      'IP Protocol = 58',
      'ICMP Type = 128',
      'ICMP Code = 0',
    ],
    actions: 'FS:action eval stops',
  },
  'f6-tcpflags': {
    lines: ['Destination Address 2001:db8::14/128/off 0', 'IP Protocol = 6', 'TCP Flags = 2,&∋ ! 16'],
    actions: 'FS:marking 46',
  },
  'f6-len': {
    lines: ['Destination Address 2001:db8::15/128/off 0', 'Packet Length >= 1000'],
    actions: 'FS:redirect VRF RT:65030:100',
  },
  'f6-dscp': {
    lines: ['Destination Address 2001:db8::16/128/off 0', 'DSCP field = 46'],
    actions: 'FS:rate 0.000000',
  },
  'f6-frag': {
    lines: ['Destination Address 2001:db8::17/128/off 0', 'Packet Fragment ∋ 2'],
    actions: 'FS:rate 0.000000',
  },
  'f6-label': {
    lines: ['Destination Address 2001:db8::18/128/off 0', 'Packet Flow Label = 1234'],
    actions: 'FS:rate 0.000000',
  },
};

/** ExaBGP 4.2 JSON: the NLRI "string" and the extended-community "string" ('' where ExaBGP has no name). */
export const EXA_FLOW: Readonly<Record<string, { nlri: string; ext: string }>> = {
  'f4-src-proto': {
    nlri: 'flow destination-ipv4 203.0.113.10/32 source-ipv4 198.51.100.0/24 protocol =tcp',
    ext: 'rate-limit:0',
  },
  'f4-port': {
    nlri: 'flow destination-ipv4 203.0.113.11/32 protocol =tcp port [ =80 =443 ]',
    ext: 'rate-limit:125000',
  },
  'f4-dport': {
    nlri: 'flow destination-ipv4 203.0.113.12/32 protocol =udp destination-port [ >=1024&<=2048 ]',
    ext: '',
  },
  'f4-sport': {
    nlri: 'flow destination-ipv4 203.0.113.13/32 protocol =udp source-port =53',
    ext: 'action sample-terminal',
  },
  'f4-icmp': {
    nlri: 'flow destination-ipv4 203.0.113.14/32 protocol =icmp icmp-type =echo-request icmp-code =0',
    ext: 'redirect:65030:100',
  },
  'f4-tcpflags': {
    nlri: 'flow destination-ipv4 203.0.113.15/32 protocol =tcp tcp-flags [ =syn&!ack ]',
    ext: 'mark 10',
  },
  'f4-len': {
    nlri: 'flow destination-ipv4 203.0.113.16/32 packet-length >=1000 next-hop 100.64.0.9',
    ext: 'redirect-to-nexthop',
  },
  'f4-dscp': { nlri: 'flow destination-ipv4 203.0.113.17/32 dscp =46', ext: '' },
  'f4-frag': { nlri: 'flow destination-ipv4 203.0.113.18/32 fragment is-fragment', ext: 'rate-limit:0' },
  'f6-src-nh': {
    nlri: 'flow destination-ipv6 2001:db8::10/128/0 source-ipv6 2001:db8:1::/48/0 next-header =udp destination-port =53',
    ext: 'rate-limit:0',
  },
  'f6-port': { nlri: 'flow destination-ipv6 2001:db8::11/128/0 port [ =80 =443 ]', ext: 'rate-limit:125000' },
  'f6-sport': {
    nlri: 'flow destination-ipv6 2001:db8::12/128/0 next-header =udp source-port [ >=1024&<=2048 ]',
    ext: '',
  },
  'f6-icmp': {
    nlri: 'flow destination-ipv6 2001:db8::13/128/0 next-header =unknown protocol type 58 icmp-type =unknown icmp type type 128 icmp-code =0',
    ext: 'action terminal',
  },
  'f6-tcpflags': {
    nlri: 'flow destination-ipv6 2001:db8::14/128/0 next-header =tcp tcp-flags [ =syn&!ack ]',
    ext: 'mark 46',
  },
  'f6-len': {
    nlri: 'flow destination-ipv6 2001:db8::15/128/0 packet-length >=1000',
    ext: 'redirect:65030:100',
  },
  'f6-dscp': { nlri: 'flow destination-ipv6 2001:db8::16/128/0 traffic-class =46', ext: 'rate-limit:0' },
  'f6-frag': { nlri: 'flow destination-ipv6 2001:db8::17/128/0 fragment is-fragment', ext: 'rate-limit:0' },
  'f6-label': { nlri: 'flow destination-ipv6 2001:db8::18/128/0 flow-label =1234', ext: 'rate-limit:0' },
};

/** The 8-byte extended communities we send for a rule, as hex. */
export function extHex(r: Rule): string[] {
  const acts = flowSpecActions(r);
  if (typeof acts === 'string') throw new Error(acts);
  return acts.map((a) => hex(encodeFlowSpecAction(a)));
}

/** BIRD's "(generic, 0xHI, 0xLO)" → 16 hex digits. */
export function birdGeneric(text: string): string[] {
  return [...text.matchAll(/\(generic, 0x([0-9a-f]+), 0x([0-9a-f]+)\)/g)].map(
    (m) => (m[1] ?? '').padStart(8, '0') + (m[2] ?? '').padStart(8, '0'),
  );
}
