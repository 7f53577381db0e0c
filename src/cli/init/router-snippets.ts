// What to configure on the router side for the answers `floodgate init` got: flow export towards
// floodgate and the BGP session that carries its FlowSpec and RTBH routes, for Junos, IOS-XR, EOS,
// BIRD and FRR. Examples to adapt, not a tested configuration of every platform.
import type { InitAnswers } from './answers.js';

export const SNIPPET_PLATFORMS = ['junos', 'iosxr', 'eos', 'bird', 'frr'] as const;
export type SnippetPlatform = (typeof SNIPPET_PLATFORMS)[number];

interface Ctx {
  fg: string;
  ourAs: number;
  routerAs: number;
  sampling: number;
  v4: boolean;
  v6: boolean;
}

const RENDER: Readonly<Record<SnippetPlatform, (c: Ctx) => string>> = {
  junos: (c) =>
    [
      '# sFlow to floodgate',
      `set protocols sflow collector ${c.fg} udp-port 6343`,
      `set protocols sflow sample-rate ingress ${c.sampling}`,
      'set protocols sflow interfaces <UPLINK-INTERFACE>',
      '# BGP session with floodgate: FlowSpec and RTBH in, nothing out',
      'set protocols bgp group floodgate type external',
      `set protocols bgp group floodgate peer-as ${c.ourAs}`,
      `set protocols bgp group floodgate neighbor ${c.fg}`,
      ...(c.v4
        ? [
            'set protocols bgp group floodgate family inet unicast',
            'set protocols bgp group floodgate family inet flow',
          ]
        : []),
      ...(c.v6
        ? [
            'set protocols bgp group floodgate family inet6 unicast',
            'set protocols bgp group floodgate family inet6 flow',
          ]
        : []),
      'set protocols bgp group floodgate export REJECT-ALL',
      'set policy-options policy-statement REJECT-ALL then reject',
      '# RTBH: routes tagged 65535:666 point at your discard next hop (bgp.discardNextHop)',
    ].join('\n'),
  iosxr: (c) =>
    [
      '! NetFlow v9 to floodgate',
      'flow exporter-map FLOODGATE',
      ' version v9',
      ' transport udp 2055',
      ` destination ${c.fg}`,
      'sampler-map FLOODGATE-SAMPLER',
      ` random 1 out-of ${c.sampling}`,
      '! BGP session with floodgate',
      `router bgp ${c.routerAs}`,
      ` neighbor ${c.fg}`,
      `  remote-as ${c.ourAs}`,
      ...(c.v4
        ? [
            '  address-family ipv4 unicast',
            '   route-policy PASS in',
            '   route-policy DROP out',
            '  address-family ipv4 flowspec',
            '   route-policy PASS in',
            '   route-policy DROP out',
          ]
        : []),
      ...(c.v6
        ? [
            '  address-family ipv6 unicast',
            '   route-policy PASS in',
            '   route-policy DROP out',
            '  address-family ipv6 flowspec',
            '   route-policy PASS in',
            '   route-policy DROP out',
          ]
        : []),
      '! install received FlowSpec rules on every interface',
      'flowspec',
      ...(c.v4 ? [' address-family ipv4', '  local-install interface-all'] : []),
      ...(c.v6 ? [' address-family ipv6', '  local-install interface-all'] : []),
    ].join('\n'),
  eos: (c) =>
    [
      '! sFlow to floodgate',
      `sflow destination ${c.fg} 6343`,
      `sflow sample ${c.sampling}`,
      'sflow run',
      '! BGP session with floodgate',
      `router bgp ${c.routerAs}`,
      `   neighbor ${c.fg} remote-as ${c.ourAs}`,
      ...(c.v4 ? ['   address-family flow-spec ipv4', `      neighbor ${c.fg} activate`] : []),
      ...(c.v6 ? ['   address-family flow-spec ipv6', `      neighbor ${c.fg} activate`] : []),
      ...(c.v6 ? ['   address-family ipv6', `      neighbor ${c.fg} activate`] : []),
      '! apply received FlowSpec rules',
      'flow-spec',
      ...(c.v4 ? ['   ipv4', '      no disabled'] : []),
      ...(c.v6 ? ['   ipv6', '      no disabled'] : []),
    ].join('\n'),
  bird: (c) =>
    [
      '# BIRD 2: receive FlowSpec and RTBH from floodgate (flow export needs a separate probe, e.g. pmacct)',
      ...(c.v4 ? ['flow4 table flowtab4;'] : []),
      ...(c.v6 ? ['flow6 table flowtab6;'] : []),
      'protocol bgp floodgate {',
      `  local as ${c.routerAs};`,
      `  neighbor ${c.fg} as ${c.ourAs};`,
      ...(c.v4
        ? ['  ipv4 { import all; export none; };', '  flow4 { table flowtab4; import all; export none; };']
        : []),
      ...(c.v6
        ? ['  ipv6 { import all; export none; };', '  flow6 { table flowtab6; import all; export none; };']
        : []),
      '}',
    ].join('\n'),
  frr: (c) =>
    [
      '! FRR: receive FlowSpec and RTBH from floodgate (flow export: softflowd or pmacct on the box)',
      `router bgp ${c.routerAs}`,
      ` neighbor ${c.fg} remote-as ${c.ourAs}`,
      ...(c.v4
        ? [
            ' address-family ipv4 unicast',
            `  neighbor ${c.fg} activate`,
            ' exit-address-family',
            ' address-family ipv4 flowspec',
            `  neighbor ${c.fg} activate`,
            ' exit-address-family',
          ]
        : []),
      ...(c.v6
        ? [
            ' address-family ipv6 unicast',
            `  neighbor ${c.fg} activate`,
            ' exit-address-family',
            ' address-family ipv6 flowspec',
            `  neighbor ${c.fg} activate`,
            ' exit-address-family',
          ]
        : []),
    ].join('\n'),
};

/** One example block per platform, each clearly marked as an example. */
export function routerSnippets(
  a: InitAnswers,
  platforms: readonly SnippetPlatform[] = SNIPPET_PLATFORMS,
): string {
  const c: Ctx = {
    fg: a.localAddress ?? '<FLOODGATE-ADDRESS>',
    ourAs: a.localAs,
    routerAs: a.routers[0]?.asn ?? 64512,
    sampling: a.exporters.find((e) => e.sampling)?.sampling ?? 1000,
    v4: a.networks.some((n) => !n.includes(':')),
    v6: a.networks.some((n) => n.includes(':')),
  };
  return platforms
    .map(
      (p) =>
        `--- EXAMPLE for ${p} (adapt to your platform and release; not applied by floodgate) ---\n${RENDER[p](c)}\n`,
    )
    .join('\n');
}
