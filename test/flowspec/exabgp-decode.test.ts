// Cross-check of the FlowSpec codec against a real implementation: ExaBGP (Debian package "exabgp")
// decodes UPDATEs carrying NLRIs and extended communities we encoded, offline (`exabgp --decode`,
// no session, no network). Expected strings are ExaBGP 4.2's own rendering (it sorts communities).
// Left out on purpose, ExaBGP 4.2 limits: 0x8208 redirect (its decoder recurses forever), 0x800c and
// 0x8108 (printed as raw hex), and IPv6 prefix offsets (it reads the pattern from bit 0, not from the
// offset as RFC 8956 §3.1 and BIRD do; GoBGP does the same as ExaBGP).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFlowSpecAction } from '../../src/flowspec/actions.js';
import { encodeFlowSpecNlri, encodeVpnFlowSpecNlri } from '../../src/flowspec/nlri.js';
import type { FlowSpecAction } from '../../src/flowspec/types.js';
import { match as parse } from '../support/rules.js';

/** A BGP UPDATE (RFC 4271 §4.3) with ORIGIN, AS_PATH, EXTENDED_COMMUNITIES and MP_REACH_NLRI (RFC 4760). */
function update(afi: number, safi: number, nlri: Uint8Array, ext: readonly Uint8Array[]): string {
  const mp = Buffer.concat([Buffer.from([0, afi, safi, 0, 0]), nlri]);
  const parts = [Buffer.from('40010100400200', 'hex')];
  if (ext.length > 0) {
    const e = Buffer.concat(ext);
    parts.push(Buffer.from([0xc0, 0x10, e.length]), e);
  }
  const mpHead = Buffer.from([0x90, 0x0e, 0, 0]);
  mpHead.writeUInt16BE(mp.length, 2);
  parts.push(mpHead, mp);
  const attrs = Buffer.concat(parts);
  const body = Buffer.concat([Buffer.from([0, 0, attrs.length >> 8, attrs.length & 0xff]), attrs]);
  const head = Buffer.alloc(19, 0xff);
  head.writeUInt16BE(19 + body.length, 16);
  head[18] = 2;
  return Buffer.concat([head, body]).toString('hex');
}

interface Case {
  readonly name: string;
  readonly afi: 1 | 2;
  readonly rd?: string;
  readonly text: string;
  readonly actions: readonly FlowSpecAction[];
  readonly exabgp: string;
}

const CASES: readonly Case[] = [
  {
    name: 'every IPv4 component, discard + sample/terminal',
    afi: 1,
    text: 'flow4 dst 203.0.113.5/32 src 198.18.0.0/24 proto =17|=6 port !=5 dport =53|=123 sport >=1024&<=65535 icmp-type =8 icmp-code true:0 tcp-flags =syn&!=ack|fin+rst&!psh len >=1000&<=1500 dscp =46 frag is-fragment|!=first-fragment+last-fragment',
    actions: [
      { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
      { kind: 'traffic-action', terminal: true, sample: true },
    ],
    exabgp:
      'flow destination-ipv4 203.0.113.5/32 source-ipv4 198.18.0.0/24 protocol [ =udp =tcp ] port !=5 destination-port [ =53 =123 ] source-port [ >=1024&<=65535 ] icmp-type =echo-request icmp-code true tcp-flags [ =syn&!=ack fin+rst&!push ] packet-length [ >=1000&<=1500 ] dscp =46 fragment [ is-fragment !=first-fragment+last-fragment ] origin igp extended-community [ rate-limit:0 action sample-terminal ]',
  },
  {
    name: 'RFC 8955 example 2 with redirect to VRF',
    afi: 1,
    text: 'flow4 dst 192.0.2.0/24 src 203.0.113.0/24 port >=137&<=139|=8080',
    actions: [{ kind: 'redirect-vrf', routeTarget: '65000:100' }],
    exabgp:
      'flow destination-ipv4 192.0.2.0/24 source-ipv4 203.0.113.0/24 port [ >=137&<=139 =8080 ] origin igp extended-community redirect:65000:100',
  },
  {
    name: 'every IPv6 component (offset 0), rate limit, marking, redirect-to-nexthop copy',
    afi: 2,
    text: 'flow6 dst 2001:db8:1::/48 src 2001:db8:ff00::/40 next-header =17 port >=1&<=1023 dport =53 sport =123 icmp-type =128 icmp-code =0 tcp-flags =syn len <=1500 dscp =46 frag =is-fragment|last-fragment flow-label =5|>=1000&<=2000',
    actions: [
      { kind: 'traffic-rate-bytes', asn: 65000, bytesPerSecond: 12_500_000 },
      { kind: 'traffic-marking', dscp: 46 },
      { kind: 'redirect-ip', nextHop: '2001:db8::1', copy: true },
    ],
    exabgp:
      'flow destination-ipv6 2001:db8:1::/48/0 source-ipv6 2001:db8:ff00::/40/0 next-header =udp port [ >=1&<=1023 ] destination-port =53 source-port =123 icmp-type =unknown icmp type type 128 icmp-code =0 tcp-flags =syn packet-length <=1500 traffic-class =46 fragment [ =is-fragment last-fragment ] flow-label [ =5 >=1000&<=2000 ] origin igp extended-community [ copy-to-nexthop rate-limit:12500000 mark 46 ]',
  },
  {
    name: 'VPN FlowSpec (SAFI 134) with redirect-to-IPv4 community',
    afi: 1,
    rd: '65000:100',
    text: 'flow4 dst 10.0.0.0/8 dport =80',
    actions: [{ kind: 'redirect-ip', nextHop: '100.64.0.1', copy: true }],
    exabgp:
      'flow destination-ipv4 10.0.0.0/8 destination-port =80 rd 65000:100 origin igp extended-community copy-to-nexthop-ietf 100.64.0.1 (with copy)',
  },
];

const dir = mkdtempSync(join(tmpdir(), 'fg-flowspec-exabgp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runExabgp(hexes: readonly string[]): Promise<string> {
  const conf = join(dir, 'exabgp.conf');
  // A neighbour is needed only so --decode knows the families; nothing connects.
  writeFileSync(
    conf,
    'neighbor 127.0.0.1 {\n router-id 127.0.0.2;\n local-address 127.0.0.2;\n local-as 65000;\n peer-as 65000;\n' +
      ' family {\n  ipv4 flow;\n  ipv6 flow;\n  ipv4 flow-vpn;\n  ipv6 flow-vpn;\n }\n}\n',
  );
  const args = hexes.flatMap((h) => ['--decode', h]).concat(conf);
  return new Promise((resolve, reject) => {
    execFile(
      'exabgp',
      args,
      { cwd: dir, timeout: 60_000, env: { ...process.env, 'exabgp.log.destination': 'stdout' } },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error('exabgp not found: install the Debian package "exabgp"'));
          return;
        }
        resolve(`${stdout}\n${stderr}`);
      },
    );
  });
}

describe('ExaBGP decodes what we encode', () => {
  it('reads every case the way we wrote it', async () => {
    const hexes = CASES.map((c) => {
      const m = parse(c.text);
      const nlri = c.rd === undefined ? encodeFlowSpecNlri(m) : encodeVpnFlowSpecNlri(c.rd, m);
      const ext = c.actions.map((a) =>
        encodeFlowSpecAction(a, a.kind === 'redirect-ip' && c.rd ? { redirectIp: 'ipv4-community' } : {}),
      );
      return update(c.afi, c.rd === undefined ? 133 : 134, nlri, ext);
    });
    const out = await runExabgp(hexes);
    const decoded = [...out.matchAll(/decoded update (\d+) (.*)$/gm)].map((m) => m[2]?.trim());
    expect(decoded).toEqual(CASES.map((c) => c.exabgp));
  });
});
