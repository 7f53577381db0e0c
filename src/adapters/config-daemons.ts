// Config sections for the BGP-daemon adapters (ExaBGP, GoBGP, BIRD 2, FRRouting): one zod schema
// each, every key with a default and help text. The lead composes them into floodgate.yaml.
import { z } from 'zod';

const community = z.string().regex(/^(\d+:\d+|[a-z-]+)$/, 'asn:value or a well-known name');
const largeCommunity = z.string().regex(/^\d+:\d+:\d+$/, 'global:local1:local2');

export const rtbhSchema = z
  .object({
    nextHop4: z
      .string()
      .default('100.64.0.1')
      .describe(
        'IPv4 next hop of RTBH routes; the receiving routers must resolve it to a discard route. Never your real gateway.',
      ),
    nextHop6: z
      .string()
      .default('100::1')
      .describe('IPv6 next hop of RTBH routes (default in the RFC 6666 discard-only prefix 100::/64).'),
    noExport: z
      .boolean()
      .default(true)
      .describe(
        'Add NO_EXPORT (RFC 7999 §3.2). Speakers will not send such routes over eBGP: use iBGP or turn off.',
      ),
    extraCommunities: z
      .array(community)
      .default([])
      .describe('Standard communities added to every RTBH route.'),
    extraLargeCommunities: z
      .array(largeCommunity)
      .default([])
      .describe('Large communities (RFC 8092) added to every RTBH route.'),
  })
  .describe('Remotely triggered blackhole (RFC 7999): 65535:666 is always sent.');

const base = {
  enabled: z.boolean().default(false).describe('Use this adapter.'),
  name: z.string().min(1),
  timeoutMs: z.number().int().min(100).default(5000).describe('Deadline of one control operation.'),
  rtbh: rtbhSchema
    .default(rtbhSchema.parse({}))
    .describe('Remotely triggered blackhole (RFC 7999) settings.'),
};

export const exabgpConfigSchema = z
  .object({
    ...base,
    name: base.name.default('exabgp').describe('Adapter instance name (audit log, health, failover order).'),
    mode: z
      .enum(['process', 'http'])
      .default('process')
      .describe('process: exabgp runs `floodgate exabgp-api`; http: POST commands to an HTTP bridge.'),
    listen: z
      .string()
      .default('unix:/run/floodgate/exabgp.sock')
      .describe(
        'process mode: where the adapter waits for `floodgate exabgp-api` (unix:PATH or tcp:127.0.0.1:PORT).',
      ),
    http: z
      .object({
        url: z
          .string()
          .url()
          .default('http://127.0.0.1:5000/')
          .describe('Bridge URL receiving one command per POST.'),
        bodyFormat: z
          .enum(['form', 'text'])
          .default('form')
          .describe(
            'form: application/x-www-form-urlencoded `<field>=<command>`; text: the command as text/plain.',
          ),
        field: z.string().default('command').describe('Form field holding the command (form body).'),
        headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers (e.g. auth).'),
      })
      .default({ url: 'http://127.0.0.1:5000/', bodyFormat: 'form', field: 'command', headers: {} })
      .describe('HTTP bridge mode settings.'),
  })
  .describe('ExaBGP 4.x through its text API.');

export const gobgpConfigSchema = z
  .object({
    ...base,
    name: base.name.default('gobgp').describe('Adapter instance name (audit log, health, failover order).'),
    target: z
      .string()
      .default('127.0.0.1:50051')
      .describe(
        'gobgpd gRPC address (host:port or unix:///path). Start gobgpd with --api-hosts on loopback.',
      ),
    protoDir: z
      .string()
      .default('/usr/share/gocode/src/github.com/osrg/gobgp/api')
      .describe(
        'Directory with gobgp.proto/attribute.proto/capability.proto (Debian golang-github-osrg-gobgp-dev).',
      ),
    flowSpecNextHop4: z
      .string()
      .default('0.0.0.0')
      .describe('Next hop gobgpd requires on IPv4 FlowSpec paths.'),
    flowSpecNextHop6: z.string().default('::').describe('Next hop gobgpd requires on IPv6 FlowSpec paths.'),
    diversionNextHop4: z
      .string()
      .optional()
      .describe(
        'IPv4 next hop of scrubbing diversions when mitigation.scrubbing.nextHop.ipv4 gives none (gobgpd does not put its own address in place of 0.0.0.0 on iBGP sessions).',
      ),
    diversionNextHop6: z
      .string()
      .optional()
      .describe('IPv6 next hop of scrubbing diversions when mitigation.scrubbing.nextHop.ipv6 gives none.'),
  })
  .describe('GoBGP 3.x gobgpd through its gRPC API (apipb.GobgpApi).');

export const birdConfigSchema = z
  .object({
    ...base,
    name: base.name.default('bird').describe('Adapter instance name (audit log, health, failover order).'),
    birdc: z.string().default('birdc').describe('birdc binary.'),
    socket: z.string().default('/run/bird/bird.ctl').describe('BIRD control socket (birdc -s).'),
    includeFile: z
      .string()
      .default('/etc/bird/floodgate.conf')
      .describe('File the adapter owns and rewrites; bird.conf must `include` it.'),
    protocolPrefix: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/)
      .default('floodgate')
      .describe(
        'Static protocols <prefix>_flow4/_flow6/_rtbh4/_rtbh6 are generated; export them by `proto =`.',
      ),
    flow4Table: z.string().default('flowtab4').describe('flow4 table defined in bird.conf.'),
    flow6Table: z.string().default('flowtab6').describe('flow6 table defined in bird.conf.'),
    ipv4Table: z.string().default('master4').describe('IPv4 table for RTBH routes.'),
    ipv6Table: z.string().default('master6').describe('IPv6 table for RTBH routes.'),
    bgpProtocols: z
      .array(z.string())
      .default([])
      .describe('BGP protocols whose state is health (empty: every BGP protocol).'),
  })
  .describe('BIRD 2 through an include file and `birdc configure` (no restart).');

export const frrConfigSchema = z
  .object({
    ...base,
    name: base.name.default('frr').describe('Adapter instance name (audit log, health, failover order).'),
    vtysh: z.string().default('vtysh').describe('vtysh binary.'),
    vtySocketDir: z
      .string()
      .default('/var/run/frr')
      .describe("Directory of the daemons' vty sockets (--vty_socket)."),
    asn: z.number().int().min(1).max(4294967295).default(65000).describe('AS of `router bgp` in this FRR.'),
    routeMap: z.string().default('FLOODGATE-RTBH').describe('Route-map used by `redistribute static`.'),
    pbrMap: z.string().default('FLOODGATE').describe('pbr-map for FlowSpec-like drop rules (needs pbrd).'),
    pbrInterfaces: z
      .array(z.string())
      .default([])
      .describe('Interfaces the pbr-map is applied to; empty turns PBR (drop intent) off.'),
    pbrDiscardNextHop4: z
      .string()
      .default('100.64.0.1')
      .describe('PBR drop: next hop routed to a blackhole.'),
    pbrDiscardNextHop6: z
      .string()
      .default('100::1')
      .describe('PBR drop: IPv6 next hop routed to a blackhole.'),
    pbrPortsAndDscp: z
      .boolean()
      .default(false)
      .describe(
        'Allow port and DSCP matches in pbr-map. FRR 8.4 on Linux installs ip rules without the ports (the drop would hit every port) and fails DSCP (kernel: Invalid tos); enable only for a dataplane that honours them.',
      ),
    firstSequence: z
      .number()
      .int()
      .min(1)
      .max(65000)
      .default(100)
      .describe('First route-map / pbr-map sequence used.'),
  })
  .describe('FRRouting through vtysh: tagged static blackholes + route-maps, pbr-map drops.');

export type RtbhConfig = z.infer<typeof rtbhSchema>;
export type ExabgpConfig = z.infer<typeof exabgpConfigSchema>;
export type GobgpConfig = z.infer<typeof gobgpConfigSchema>;
export type BirdConfig = z.infer<typeof birdConfigSchema>;
export type FrrConfig = z.infer<typeof frrConfigSchema>;

export const daemonAdaptersSchema = z
  .object({
    exabgp: z.array(exabgpConfigSchema).default([]).describe('ExaBGP adapter instances.'),
    gobgp: z.array(gobgpConfigSchema).default([]).describe('GoBGP adapter instances.'),
    bird: z.array(birdConfigSchema).default([]).describe('BIRD 2 adapter instances.'),
    frr: z.array(frrConfigSchema).default([]).describe('FRRouting adapter instances.'),
  })
  .describe('BGP daemons floodgate drives.');
