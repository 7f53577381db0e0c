// `floodgate bgp encode|peers|adj-out`, run in-process; peers/adj-out against a stand-in API that serves
// a real speaker's peersSnapshot()/adjRibOut() the way the lead's HTTP API does.
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { registerBgp } from '../../src/cli/commands/bgp.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { FakePeer } from './helpers/fake-peer.js';
import { rtbh } from '../support/rules.js';
import { waitFor } from '../support/wait.js';

async function cli(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    const p = new Command().exitOverride();
    registerBgp(p);
    await p.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

const fixture = (f: string): string => new URL(`../fixtures/bgp/rules/${f}`, import.meta.url).pathname;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('floodgate bgp encode', () => {
  it('prints the announce and withdraw UPDATE of a FlowSpec rule as hex and decoded', async () => {
    const out = await cli(['bgp', 'encode', fixture('drop-dns.json')]);
    expect(out).toContain(
      'ipv4-flowspec: flow4 dst 203.0.113.5/32 proto =17 sport =53 len >=512 then discard',
    );
    expect(out).toContain('announce ipv4-flowspec: flow4 dst 203.0.113.5/32 proto =17 sport =53 len >=512');
    expect(out).toContain('withdraw ipv4-flowspec: flow4 dst 203.0.113.5/32 proto =17 sport =53 len >=512');
    expect(out).toContain('asPath: 65000');
    expect(out).toMatch(/^ffffffffffffffffffffffffffffffff/m);
  });

  it('JSON output for RTBH over IPv6 with the chosen next hop', async () => {
    const out = JSON.parse(
      await cli(['bgp', 'encode', fixture('rtbh.json'), '--next-hop-v6', '100::9', '--json']),
    ) as {
      family: string;
      messages: { hex: string; decoded: { announce: string[]; attributes: Record<string, unknown> } }[];
    };
    expect(out.family).toBe('ipv6-unicast');
    expect(out.messages[0]?.decoded).toMatchObject({
      announce: ['2001:db8::7/128'],
      attributes: {
        mpNextHop: '100::9',
        communities: ['65535:666', '65535:65281'],
        largeCommunities: ['65000:666:1'],
      },
    });
  });
});

describe('floodgate bgp peers / adj-out', () => {
  it('reads the API and prints tables', async () => {
    const peer = new FakePeer({ address: '127.0.30.53', asn: 65053, families: ['ipv4-unicast'] });
    const port = await peer.listen();
    const sp = new BgpSpeaker({
      routerId: '10.30.0.1',
      localAs: 65030,
      discardNextHop: { ipv4: '100.64.0.1' },
      peers: [
        {
          name: 'edge',
          address: '127.0.30.53',
          port,
          localAddress: '127.0.30.1',
          remoteAs: 65053,
          families: ['ipv4-unicast'],
        },
      ],
    });
    await sp.start();
    const api = http.createServer((req, res) => {
      const m = /^\/api\/v1\/bgp\/peers(?:\/([^/]+)\/adj-rib-out)?$/.exec(req.url ?? '');
      const body = !m ? undefined : m[1] ? sp.adjRibOut(decodeURIComponent(m[1])) : sp.peersSnapshot();
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          body
            ? m?.[1]
              ? { routes: body }
              : { peers: body }
            : { error: { code: 'not_found', message: 'x' } },
        ),
      );
    });
    await new Promise<void>((r) => api.listen(0, '127.0.30.1', () => r()));
    cleanup.push(async () => {
      await sp.stop();
      await peer.close();
      await new Promise<void>((r) => api.close(() => r()));
    });
    await peer.waitSessions(1);
    await waitFor('speaker Established', () =>
      sp.sessionStates()['edge'] === 'Established' ? true : undefined,
    );
    sp.upsertRule(rtbh('bh-1', '203.0.113.7/32'));
    await peer.waitRib(1);
    const base = `http://127.0.30.1:${(api.address() as { port: number }).port}`;
    const peers = await cli(['bgp', 'peers', '--api', base]);
    expect(peers).toMatch(/edge\s+127\.0\.30\.53:\d+\s+65053\s+Established\s+\d+s\s+ipv4-unicast\s+1\s+0/);
    const adj = await cli(['bgp', 'adj-out', 'edge', '--api', base]);
    expect(adj).toMatch(
      /ipv4-unicast\s+203\.0\.113\.7\/32 blackhole via 100\.64\.0\.1\s+65535:666 65535:65281\s+yes\s+bh-1/,
    );
    await expect(cli(['bgp', 'adj-out', 'nope', '--api', base])).rejects.toThrow(/HTTP 404/);
  });
});
