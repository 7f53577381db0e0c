// `floodgate bgp encode|peers|adj-out`: print the UPDATE a rule produces (offline), and show the running
// speaker's sessions and Adj-RIB-Out through the HTTP API.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Rule } from '../../domain/rule.js';
import { INTENTS } from '../../domain/rule.js';
import { flowSpecMatchSchema, isFlowSpecParseError, parseFlowSpec } from '../../flowspec/index.js';
import { hex } from '../../bgp/codec/bytes.js';
import { describeUpdate } from '../../bgp/describe.js';
import { encodeRule } from '../../bgp/encode-rule.js';
import type { AdjRibOutEntry, PeerSnapshot } from '../../bgp/speaker.js';
import { apiCall, apiOptions } from '../api-client.js';
import { formatTable } from './rules.js';

/** A rule file: a full Rule, or the few fields that matter for BGP (match may be FlowSpec text). */
export function ruleFromJson(raw: unknown): Rule {
  if (typeof raw !== 'object' || raw === null) throw new Error('rule file must hold a JSON object');
  const o = raw as Record<string, unknown>;
  const intent = o.intent;
  if (typeof intent !== 'string' || !(INTENTS as readonly string[]).includes(intent)) {
    throw new Error(`"intent" must be one of ${INTENTS.join(', ')}`);
  }
  let match;
  if (typeof o.match === 'string') {
    const m = parseFlowSpec(o.match);
    if (isFlowSpecParseError(m)) throw new Error(`match: ${m.message} (at ${m.position})`);
    match = m;
  } else if (o.match !== undefined) {
    const m = flowSpecMatchSchema.safeParse(o.match);
    if (!m.success)
      throw new Error(`match: ${m.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    match = m.data;
  } else if (typeof o.target === 'string') {
    const m = parseFlowSpec(`${o.target.includes(':') ? 'flow6' : 'flow4'} dst ${o.target}`);
    if (isFlowSpecParseError(m)) throw new Error(`target: ${m.message}`);
    match = m;
  } else throw new Error('rule needs "match" or "target"');
  const target = typeof o.target === 'string' ? o.target : (match.destination?.prefix ?? '');
  return {
    id: 'cli',
    tenant: 'default',
    family: match.family,
    level: 0,
    actions: [],
    ttlSeconds: 300,
    createdAt: 0,
    expiresAt: 0,
    origin: 'manual',
    reason: 'floodgate bgp encode',
    state: 'pending',
    dryRun: true,
    ...(o as Partial<Rule>),
    intent: intent as Rule['intent'],
    match,
    target,
  };
}

function printUpdate(label: string, m: Uint8Array, json: boolean): unknown {
  const view = describeUpdate(m);
  if (json) return { label, hex: hex(m), decoded: view };
  process.stdout.write(
    `${label} (${m.length} bytes)\n${hex(m)
      .replace(/(.{64})/g, '$1\n')
      .trimEnd()}\n`,
  );
  for (const [k, v] of Object.entries(view.attributes))
    process.stdout.write(`  ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\n`);
  for (const a of view.announce) process.stdout.write(`  announce ${view.family}: ${a}\n`);
  for (const w of view.withdraw) process.stdout.write(`  withdraw ${view.family}: ${w}\n`);
  process.stdout.write('\n');
  return undefined;
}

export function registerBgp(program: Command): void {
  const bgp = program
    .command('bgp')
    .description('native BGP speaker: encode rules, show peers and Adj-RIB-Out');

  bgp
    .command('encode')
    .argument(
      '<rule.json>',
      'rule file: a Rule, or {intent, match | target, rateBytesPerSecond, routeTarget, actions, communities, largeCommunities}',
    )
    .description(
      'print the UPDATE messages (hex and decoded) that announce and withdraw a rule; works offline',
    )
    .option('--local-as <asn>', 'our AS number', '65000')
    .option('--peer-as <asn>', 'peer AS number (same as --local-as for iBGP)', '65001')
    .option('--rd <rd>', 'send as VPN FlowSpec (SAFI 134) with this route distinguisher')
    .option('--next-hop-v4 <ip>', 'RTBH IPv4 discard next hop (required for IPv4 blackhole rules)')
    .option('--next-hop-v6 <ip>', 'RTBH IPv6 discard next hop', '100::1')
    .option('--json', 'JSON output')
    .action(
      (
        file: string,
        o: {
          localAs: string;
          peerAs: string;
          rd?: string;
          nextHopV4: string;
          nextHopV6: string;
          json?: boolean;
        },
      ) => {
        const rule = ruleFromJson(JSON.parse(readFileSync(file, 'utf8')) as unknown);
        const enc = encodeRule(rule, {
          localAs: Number(o.localAs),
          peerAs: Number(o.peerAs),
          discardNextHop: { ipv4: o.nextHopV4, ipv6: o.nextHopV6 },
          ...(o.rd ? { peer: { flowspecRd: o.rd } } : {}),
        });
        if (!o.json) process.stdout.write(`${enc.family}: ${enc.description}\n\n`);
        const out = [
          ...enc.announce.map((m) => printUpdate('announce UPDATE', m, !!o.json)),
          ...enc.withdraw.map((m) => printUpdate('withdraw UPDATE', m, !!o.json)),
        ];
        if (o.json)
          process.stdout.write(
            JSON.stringify({ family: enc.family, route: enc.description, messages: out }, null, 2) + '\n',
          );
      },
    );

  bgp
    .command('peers')
    .description('BGP sessions of a running floodgate (GET /api/v1/bgp/peers)')
    .option('--api <url>', 'floodgate API base URL (env FLOODGATE_API)')
    .option('--token <token>', 'API bearer token (env FLOODGATE_API_TOKEN)')
    .option('--json', 'raw JSON')
    .action(async (o: { api?: string; token?: string; json?: boolean }) => {
      const res = await apiCall<{ peers: PeerSnapshot[] } | PeerSnapshot[]>(
        apiOptions(o),
        'GET',
        'api/v1/bgp/peers',
      );
      const peers = Array.isArray(res) ? res : res.peers;
      if (o.json) {
        process.stdout.write(JSON.stringify(peers, null, 2) + '\n');
        return;
      }
      const rows = peers.map((p) => [
        p.name,
        `${p.address}:${p.port}`,
        String(p.remoteAs),
        p.state,
        p.uptimeSeconds === null ? '-' : `${p.uptimeSeconds}s`,
        p.negotiatedFamilies.join(','),
        String(Object.values(p.adjRibOut).reduce((a, b) => a + (b ?? 0), 0)),
        String(p.counters.flaps),
        p.lastError ?? '',
      ]);
      process.stdout.write(
        formatTable(
          ['PEER', 'ADDRESS', 'AS', 'STATE', 'UP', 'FAMILIES', 'ROUTES', 'FLAPS', 'LAST ERROR'],
          rows,
        ) + '\n',
      );
    });

  bgp
    .command('adj-out')
    .argument('<peer>', 'peer name or address')
    .description('routes floodgate sends to one peer (GET /api/v1/bgp/peers/:peer/adj-rib-out)')
    .option('--api <url>', 'floodgate API base URL (env FLOODGATE_API)')
    .option('--token <token>', 'API bearer token (env FLOODGATE_API_TOKEN)')
    .option('--json', 'raw JSON')
    .action(async (peer: string, o: { api?: string; token?: string; json?: boolean }) => {
      const res = await apiCall<{ routes: AdjRibOutEntry[] } | AdjRibOutEntry[]>(
        apiOptions(o),
        'GET',
        `api/v1/bgp/peers/${encodeURIComponent(peer)}/adj-rib-out`,
      );
      const routes = Array.isArray(res) ? res : res.routes;
      if (o.json) {
        process.stdout.write(JSON.stringify(routes, null, 2) + '\n');
        return;
      }
      const rows = routes.map((r) => [
        r.family,
        r.route,
        [...r.communities, ...r.largeCommunities].join(' '),
        r.advertised ? 'yes' : 'pending',
        r.ruleIds.join(','),
      ]);
      process.stdout.write(formatTable(['FAMILY', 'ROUTE', 'COMMUNITIES', 'SENT', 'RULES'], rows) + '\n');
    });
}
