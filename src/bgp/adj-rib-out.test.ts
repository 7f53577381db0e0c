// The Adj-RIB-Out without sockets: rule claims on routes in, UPDATE bytes out, decoded back with the
// codec. Shared routes stay until their last owner goes, batching by attribute set, only negotiated
// families, full re-send on a new session and per family on ROUTE-REFRESH (RFC 2918).
import { describe, expect, it } from 'vitest';
import { rule, rtbh } from '../../test/support/rules.js';
import { AdjRibOut, peerAttributes, type SessionTerms } from './adj-rib-out.js';
import { concat, hex } from './codec/bytes.js';
import { bgpConfigSchema, bgpPeerSchema } from './config.js';
import { decodeUpdate } from './codec/update.js';
import { renderRule, type RenderedRoute } from './render.js';
import type { Rule } from '../domain/rule.js';

const defaults = bgpConfigSchema.parse({ localAs: 65030, discardNextHop: { ipv4: '100.64.0.1' } });
const peer = bgpPeerSchema.parse({ name: 'r1', address: '127.41.0.2', remoteAs: 65002 });
const ALL: SessionTerms = {
  families: ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'],
  fourOctetAs: true,
  maxMessage: 4096,
};

function route(r: Rule): RenderedRoute {
  const out = renderRule(r, peer, defaults);
  if (!out.ok || !out.route) throw new Error(`no route for ${r.id}`);
  return out.route;
}

function newRib(): AdjRibOut {
  return new AdjRibOut((r) => peerAttributes(peer, defaults, r));
}

/** Every UPDATE decoded: what it announces and withdraws (NLRI hex, unicast and MP alike). */
function decode(messages: readonly Uint8Array[]): { announced: string[]; withdrawn: string[] }[] {
  return messages.map((m) => {
    const d = decodeUpdate(m.subarray(19), { fourOctetAs: true });
    if (!d.ok || d.value.issues.length > 0) throw new Error(`bad UPDATE: ${JSON.stringify(d)}`);
    const u = d.value.update;
    return {
      announced: [...u.nlri, ...(u.attributes.mpReach ? [concat(u.attributes.mpReach.nlri)] : [])].map(hex),
      withdrawn: [
        ...u.withdrawn,
        ...(u.attributes.mpUnreach ? [concat(u.attributes.mpUnreach.nlri)] : []),
      ].map(hex),
    };
  });
}

const drop = (id: string, dst: string) => rule(id, 'drop', `flow4 dst ${dst} proto =17`);

describe('Adj-RIB-Out (no sockets)', () => {
  it('announces a route once, keeps it while another rule owns it, withdraws it with the last owner', () => {
    const rib = newRib();
    const a = route(rtbh('a', '203.0.113.5/32'));
    const key = rib.put('a', a);
    rib.put('b', route(rtbh('b', '203.0.113.5/32')));
    const first = rib.flush(ALL);
    expect(decode(first.messages)).toEqual([{ announced: [hex(a.nlri)], withdrawn: [] }]);
    expect(first).toMatchObject({ announced: 1, withdrawn: 0 });
    rib.remove(key, 'a');
    expect(rib.flush(ALL).messages).toEqual([]);
    expect(rib.entries()).toMatchObject([{ ruleIds: ['b'], advertised: true }]);
    rib.remove(key, 'b');
    const last = rib.flush(ALL);
    expect(decode(last.messages)).toEqual([{ announced: [], withdrawn: [hex(a.nlri)] }]);
    expect(last.withdrawn).toBe(1);
    expect(rib.entries()).toEqual([]);
  });

  it('routes with one attribute set share an UPDATE; a changed attribute set re-announces', () => {
    const rib = newRib();
    const r1 = route(drop('a', '203.0.113.5/32'));
    const r2 = route(drop('b', '203.0.113.6/32'));
    rib.put('a', r1);
    rib.put('b', r2);
    expect(decode(rib.flush(ALL).messages)).toEqual([
      { announced: [hex(concat([r1.nlri, r2.nlri]))], withdrawn: [] },
    ]);
    // the same rule, now a rate-limit: same NLRI, other extended community → sent again
    const limited = route(
      rule('a', 'rate-limit', 'flow4 dst 203.0.113.5/32 proto =17', { rateBytesPerSecond: 1000 }),
    );
    rib.put('a', limited);
    expect(decode(rib.flush(ALL).messages)).toEqual([{ announced: [hex(r1.nlri)], withdrawn: [] }]);
    // the same version again: nothing to send
    rib.put('a', limited);
    expect(rib.flush(ALL).messages).toEqual([]);
  });

  it('sends only negotiated families, and everything again to a new session', () => {
    const rib = newRib();
    const v4 = route(rtbh('a', '203.0.113.5/32'));
    const fs = route(drop('b', '203.0.113.6/32'));
    rib.put('a', v4);
    rib.put('b', fs);
    expect(decode(rib.flush({ ...ALL, families: ['ipv4-unicast'] }).messages)).toEqual([
      { announced: [hex(v4.nlri)], withdrawn: [] },
    ]);
    expect(rib.entries().map((e) => [e.family, e.advertised])).toEqual([
      ['ipv4-unicast', true],
      ['ipv4-flowspec', false],
    ]);
    rib.sessionDown();
    expect(rib.entries().every((e) => !e.advertised)).toBe(true);
    rib.sessionReset();
    const again = decode(rib.flush(ALL).messages).flatMap((u) => u.announced);
    expect(again.sort()).toEqual([hex(v4.nlri), hex(fs.nlri)].sort());
    expect(rib.counts()).toEqual({ 'ipv4-unicast': 1, 'ipv4-flowspec': 1 });
  });

  it('ROUTE-REFRESH re-sends the one family whole', () => {
    const rib = newRib();
    const v4 = route(rtbh('a', '203.0.113.5/32'));
    const fs = route(drop('b', '203.0.113.6/32'));
    rib.put('a', v4);
    rib.put('b', fs);
    rib.flush(ALL);
    expect(decode(rib.refresh('ipv4-flowspec', ALL).messages)).toEqual([
      { announced: [hex(fs.nlri)], withdrawn: [] },
    ]);
    expect(rib.refresh('ipv6-flowspec', ALL).messages).toEqual([]);
  });
});
