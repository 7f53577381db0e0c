import { describe, expect, it } from 'vitest';
import { nativeBgpCapabilities } from '../adapters/native-bgp.js';
import { GOBGP_CAPABILITIES } from '../adapters/gobgp/capabilities.js';
import { bgpConfigSchema } from '../bgp/config.js';
import { compileCarry, formatCarryIssue, notCarried, uncarriedLevels } from './carry.js';
import { parseMitigationConfig } from './config.js';

const live = parseMitigationConfig({
  dryRun: false,
  tenants: { acme: { networks: ['203.0.113.0/24'] } },
});

describe('what the configured adapters carry (pure)', () => {
  it('names every (policy, level, intent, family) nobody carries: errors when live, warnings in dry-run', () => {
    const gobgp = { name: 'gobgp', ...GOBGP_CAPABILITIES };
    const issues = uncarriedLevels(live, [gobgp]);
    // IPv4 only (the tenant has no IPv6 network); GoBGP carries levels 1–4 as of issue 10 item 2
    expect(issues).toEqual([]);
    const noScrub = { ...gobgp, intents: ['rate-limit', 'drop', 'blackhole'] as const };
    expect(uncarriedLevels(live, [noScrub])).toEqual([
      {
        policy: 'default',
        level: 4,
        intent: 'scrubbing',
        family: 4,
        reason: 'gobgp does not carry scrubbing',
        severity: 'error',
      },
    ]);
    const dry = parseMitigationConfig({
      tenants: { acme: { networks: ['203.0.113.0/24', '2001:db8::/32'] } },
    });
    const w = uncarriedLevels(dry, []);
    expect(w).toHaveLength(8);
    expect(w.every((i) => i.severity === 'warning' && i.reason === 'no adapter is configured')).toBe(true);
    expect(formatCarryIssue(w[0]!)).toMatch(/policy "default" level 1 \(rate-limit\) IPv4/);
  });

  it('rtbh.peers needs an adapter that can restrict a blackhole to those peers', () => {
    const cfg = parseMitigationConfig({ dryRun: false, rtbh: { peers: ['ix-rs'] } });
    const table = compileCarry([{ name: 'gobgp', ...GOBGP_CAPABILITIES }], cfg);
    expect(notCarried(table, 'blackhole', 4)).toMatch(/selective blackholing/);
    expect(notCarried(table, 'drop', 4)).toBeUndefined();
    expect(
      notCarried(
        compileCarry([{ name: 'x', families: [4], intents: ['blackhole'], selectivePeers: true }], cfg),
        'blackhole',
        4,
      ),
    ).toBeUndefined();
  });

  it('the native speaker: no IPv4 discard next hop, no diversion next hop, no peer of a family are gaps', () => {
    const bgp = bgpConfigSchema.parse({
      enabled: true,
      peers: [
        {
          address: '127.12.0.2',
          remoteAs: 65001,
          localAddress: '127.12.0.1',
          families: ['ipv4-unicast', 'ipv4-flowspec'],
        },
      ],
    });
    const caps = { name: 'bgp', ...nativeBgpCapabilities(bgp) };
    const table = compileCarry([caps], live);
    expect(notCarried(table, 'blackhole', 4)).toMatch(/no IPv4 discard next hop/);
    expect(notCarried(table, 'scrubbing', 4)).toBeUndefined(); // next-hop self: the peer's localAddress
    expect(notCarried(table, 'drop', 6)).toMatch(/no BGP peer has ipv6-flowspec/);
    expect(notCarried(table, 'scrubbing', 6)).toMatch(/no BGP peer has ipv6-unicast/);
    const withNh = nativeBgpCapabilities({ ...bgp, discardNextHop: { ipv4: '100.64.0.1', ipv6: '100::1' } });
    expect(notCarried(compileCarry([{ name: 'bgp', ...withNh }], live), 'blackhole', 4)).toBeUndefined();
  });
});
