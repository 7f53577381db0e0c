// The `bgp` section of floodgate.yaml: the native BGP speaker (router id, local AS, optional listener),
// its peers with their families, timers and per-peer RTBH settings (selective blackholing, RFC 7999),
// and the discard next hops. Every key has a default and help text.
import { z } from 'zod';
import { FAMILIES } from './codec/constants.js';
import { tryParseIp } from '../net/index.js';

const ipFamily = (s: string): 4 | 6 | undefined => tryParseIp(s)?.family;
import { parseCommunity } from './codec/attributes/communities.js';
import { parseLargeCommunity } from './codec/attributes/large-communities.js';

const asn = z.number().int().min(1).max(4294967295);
const ipv4 = z.string().refine((s) => ipFamily(s) === 4, { message: 'must be an IPv4 address' });
const ipv6 = z.string().refine((s) => ipFamily(s) === 6, { message: 'must be an IPv6 address' });
const anyIp = z
  .string()
  .refine((s) => ipFamily(s) !== undefined, { message: 'must be an IPv4 or IPv6 address' });
const community = z.string().refine((s) => parseCommunity(s) !== undefined, {
  message: 'must be "ASN:VALUE" (0-65535 each) or no-export/no-advertise/blackhole',
});
const largeCommunity = z.string().refine((s) => parseLargeCommunity(s) !== undefined, {
  message: 'must be "GLOBAL:LOCAL1:LOCAL2" (32-bit each)',
});

export const discardNextHopSchema = z
  .object({
    ipv4: ipv4
      .optional()
      .describe(
        'IPv4 next hop of RTBH routes, which your routers map to a discard interface (RFC 3882 §3.1). No default on purpose: the customary 192.0.2.1 is a real address on some networks, so IPv4 blackholing stays off until you name yours.',
      ),
    ipv6: ipv6
      .default('100::1')
      .describe('IPv6 next hop of RTBH routes, from the discard-only prefix 100::/64 (RFC 6666).'),
  })
  .strict();

export const peerRtbhSchema = z
  .object({
    nextHopIpv4: ipv4
      .optional()
      .describe(
        'Override of the IPv4 discard next hop for this peer (e.g. the IXP route server blackhole IP).',
      ),
    nextHopIpv6: ipv6.optional().describe('Override of the IPv6 discard next hop for this peer.'),
    communities: z
      .array(community)
      .optional()
      .describe(
        'Standard communities that replace the default BLACKHOLE (65535:666) + NO_EXPORT on RTBH routes to this peer.',
      ),
    extraCommunities: z
      .array(community)
      .default([])
      .describe(
        'Standard communities added to RTBH routes to this peer (e.g. an IXP\'s "do not announce to AS X").',
      ),
    largeCommunities: z
      .array(largeCommunity)
      .default([])
      .describe('Large communities (RFC 8092) added to RTBH routes to this peer.'),
  })
  .strict();

export const bgpPeerSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .optional()
      .describe('Name used in APIs, logs and rule.peers; defaults to the address.'),
    address: anyIp.describe('Peer address (IPv4 or IPv6).'),
    port: z.number().int().min(1).max(65535).default(179).describe('Peer TCP port for outgoing connections.'),
    localAddress: anyIp.optional().describe('Source address for outgoing connections.'),
    remoteAs: asn.describe('Peer AS number (eBGP when different from localAs).'),
    passive: z
      .boolean()
      .default(false)
      .describe('Only accept connections from this peer (needs bgp.listen); never connect out.'),
    families: z
      .array(z.enum(FAMILIES))
      .min(1)
      .default(['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'])
      .describe('Address families offered to this peer; the session uses those the peer also offers.'),
    holdTime: z
      .number()
      .int()
      .refine((h) => h === 0 || (h >= 3 && h <= 65535), { message: 'hold time must be 0 or 3-65535' })
      .default(90)
      .describe(
        'Proposed hold time in seconds (RFC 4271 §4.2); keepalives go every third of the negotiated value.',
      ),
    connectRetrySeconds: z
      .number()
      .positive()
      .default(5)
      .describe('First delay before reconnecting; doubles per failure with ±25% jitter.'),
    maxConnectRetrySeconds: z.number().positive().default(120).describe('Ceiling of the reconnect backoff.'),
    flowspecRd: z
      .string()
      .optional()
      .describe(
        'Route distinguisher ("65000:100") for VPN FlowSpec (SAFI 134) to this peer; used when a vpn-flowspec family is configured.',
      ),
    localPref: z
      .number()
      .int()
      .min(0)
      .max(4294967295)
      .default(100)
      .describe('LOCAL_PREF sent on iBGP sessions.'),
    rtbh: peerRtbhSchema
      .prefault({})
      .describe('Per-peer blackholing settings (selective RTBH, as IXP route servers define them).'),
  })
  .strict();

export const bgpConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Run the native BGP speaker.'),
    routerId: ipv4
      .default('10.255.255.1')
      .describe('BGP identifier (RFC 4271 §4.2), an IPv4 address unique among your routers.'),
    localAs: asn
      .default(65000)
      .describe('Our AS number; 4-octet ASNs are sent as AS_TRANS in OPEN (RFC 6793).'),
    listen: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Accept incoming BGP connections (needed for passive peers).'),
        address: anyIp.default('127.0.0.1').describe('Listen address.'),
        port: z.number().int().min(0).max(65535).default(179).describe('Listen port (0 = any free port).'),
      })
      .strict()
      .prefault({})
      .describe('Incoming connections; off by default.'),
    gracefulRestartTime: z
      .number()
      .int()
      .min(0)
      .max(4095)
      .default(120)
      .describe(
        'Restart time advertised in the graceful restart capability (RFC 4724); 0 = do not advertise.',
      ),
    extendedMessage: z
      .boolean()
      .default(false)
      .describe('Offer RFC 8654 extended messages (UPDATEs up to 65535 bytes).'),
    discardNextHop: discardNextHopSchema.prefault({}).describe('RTBH discard next hops by family.'),
    peers: z.array(bgpPeerSchema).default([]).describe('BGP peers (routers, route servers).'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    for (const [i, p] of c.peers.entries()) {
      const n = p.name ?? p.address;
      if (names.has(n))
        ctx.addIssue({ code: 'custom', path: ['peers', i, 'name'], message: `duplicate peer ${n}` });
      names.add(n);
      if (p.passive && !c.listen.enabled) {
        ctx.addIssue({
          code: 'custom',
          path: ['peers', i, 'passive'],
          message: 'a passive peer needs bgp.listen.enabled',
        });
      }
    }
  });

export type BgpConfig = z.infer<typeof bgpConfigSchema>;
export type BgpPeerConfig = z.infer<typeof bgpPeerSchema>;
export type BgpConfigInput = z.input<typeof bgpConfigSchema>;

export function peerName(p: BgpPeerConfig): string {
  return p.name ?? p.address;
}
