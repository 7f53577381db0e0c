// Byte vectors captured from real peers (scripts/bgp-capture-fixtures.ts): our decoder reads them, and
// our encoders produce the same NLRI / community bytes the real peers sent for the same routes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/bgp/codec/bytes.js';
import { splitMessages } from '../../src/bgp/codec/header.js';
import { decodeMessage, type BgpMessage } from '../../src/bgp/codec/message.js';
import { encodeUpdate } from '../../src/bgp/codec/update.js';
import { decodeUpdate } from '../../src/bgp/codec/update.js';
import {
  decodeFlowSpecNlris,
  decodeExtendedCommunity,
  encodeFlowSpecAction,
  encodeFlowSpecNlri,
  formatFlowSpec,
} from '../../src/flowspec/index.js';
import { formatPrefixNlri } from '../../src/bgp/codec/nlri.js';
import { match } from '../support/rules.js';

interface Fixture {
  peer: string;
  messages: { type: number; hex: string }[];
}

const load = (f: string): BgpMessage[] => {
  const fx = JSON.parse(readFileSync(new URL(`../fixtures/bgp/${f}`, import.meta.url), 'utf8')) as Fixture;
  const stream = fromHex(fx.messages.map((m) => m.hex).join(''));
  const { messages, rest, error } = splitMessages(stream);
  expect(error).toBeUndefined();
  expect(rest.length).toBe(0);
  return messages.map((m) => {
    const d = decodeMessage(m, { fourOctetAs: true });
    if (!d.ok) throw new Error(`${f}: ${d.message}`);
    if (d.value.type === 'update') {
      expect(d.value.update.issues).toEqual([]);
      // semantic round trip: our encoding of what we decoded decodes to the same thing
      const again = decodeUpdate(encodeUpdate(d.value.update.update, { fourOctetAs: true }).subarray(19), {
        fourOctetAs: true,
      });
      expect(again.ok && again.value.update).toEqual(d.value.update.update);
    }
    return d.value;
  });
};

const flowsOf = (m: BgpMessage): string[] => {
  if (m.type !== 'update') return [];
  const mp = m.update.update.attributes.mpReach;
  if (!mp || mp.safi !== 133) return [];
  const f = decodeFlowSpecNlris(new Uint8Array(mp.nlri.flatMap((n) => [...n])), mp.afi === 1 ? 4 : 6);
  expect(f.error).toBeUndefined();
  return f.matches.map(formatFlowSpec);
};

describe('gobgpd 3.10 capture', () => {
  const msgs = load('gobgpd-3.10.json');

  it('OPEN: 4-octet AS, families, extended next hop kept raw', () => {
    const open = msgs[0];
    expect(open?.type).toBe('open');
    if (open?.type !== 'open') return;
    const kinds = open.open.capabilities.map((c) =>
      c.kind === 'multiprotocol' ? `mp ${c.afi}/${c.safi}` : c.kind,
    );
    expect(kinds).toEqual(
      expect.arrayContaining(['route-refresh', 'mp 1/1', 'mp 2/1', 'mp 1/133', 'mp 2/133', 'four-octet-as']),
    );
    expect(
      open.open.capabilities.filter((c) => c.kind === 'unknown').map((c) => c.kind === 'unknown' && c.code),
    ).toEqual([73, 5]); // FQDN, RFC 8950
    expect(open.open.capabilities.find((c) => c.kind === 'four-octet-as')).toEqual({
      kind: 'four-octet-as',
      asn: 65041,
    });
  });

  it('FlowSpec NLRIs are byte-identical to what we encode for the same match', () => {
    const updates = msgs.filter((m) => m.type === 'update');
    const nlris = updates.flatMap((m) =>
      m.type === 'update' ? (m.update.update.attributes.mpReach?.nlri ?? []).map(hex) : [],
    );
    expect(nlris).toContain(hex(encodeFlowSpecNlri(match('flow4 dst 203.0.113.5/32 proto =17 sport =53'))));
    expect(nlris).toContain(
      hex(encodeFlowSpecNlri(match('flow4 dst 203.0.113.5/32 proto =6 dport =80 tcp-flags =syn'))),
    );
    expect(nlris).toContain(hex(encodeFlowSpecNlri(match('flow6 dst 2001:db8::5/128 proto =17 sport =123'))));
    expect(updates.flatMap(flowsOf)).toContain('flow4 dst 203.0.113.5/32 proto =17 sport =53');
  });

  it('traffic-rate communities match our action encoder', () => {
    const ext = msgs.flatMap((m) =>
      m.type === 'update' ? (m.update.update.attributes.extendedCommunities ?? []).map(hex) : [],
    );
    expect(ext).toContain(
      hex(encodeFlowSpecAction({ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 10000 })),
    );
    expect(ext).toContain(
      hex(encodeFlowSpecAction({ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 })),
    );
    const first = msgs.find((m) => m.type === 'update' && m.update.update.attributes.extendedCommunities);
    const bytes =
      first?.type === 'update' ? first.update.update.attributes.extendedCommunities?.[0] : undefined;
    expect(bytes && decodeExtendedCommunity(bytes)).toEqual({
      kind: 'action',
      action: { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 10000 },
    });
  });

  it('RTBH: BLACKHOLE + large community, IPv6 via MP_REACH, and both withdrawal forms', () => {
    const v4 = msgs.find((m) => m.type === 'update' && m.update.update.nlri.length > 0);
    expect(v4?.type === 'update' && v4.update.update.attributes).toMatchObject({
      nextHop: '100.64.0.1',
      communities: [0xffff029a],
      largeCommunities: [{ global: 65041, local1: 666, local2: 1 }],
    });
    const v6 = msgs.find((m) => m.type === 'update' && m.update.update.attributes.mpReach?.safi === 1);
    const mp = v6?.type === 'update' ? v6.update.update.attributes.mpReach : undefined;
    expect(mp && formatPrefixNlri(mp.nlri[0] as Uint8Array, 6)).toBe('2001:db8::5/128');
    const last = msgs.at(-1);
    expect(
      last?.type === 'update' && last.update.update.withdrawn.map((w) => formatPrefixNlri(w, 4)),
    ).toEqual(['203.0.113.5/32']);
    const unreach = msgs.at(-2);
    expect(unreach?.type === 'update' && unreach.update.update.attributes.mpUnreach?.safi).toBe(133);
  });
});

describe('BIRD 2.0.12 capture', () => {
  const msgs = load('bird-2.0.12.json');
  it('OPEN carries graceful restart as a receiving speaker would see it (RFC 4724 §3)', () => {
    const open = msgs[0];
    expect(
      open?.type === 'open' && open.open.capabilities.find((c) => c.kind === 'graceful-restart'),
    ).toEqual({
      kind: 'graceful-restart',
      restarting: false,
      notification: false,
      restartTime: 120,
      families: [],
    });
  });
  it('End-of-RIB for every family (RFC 4724 §2)', () => {
    const eor = msgs.flatMap((m) =>
      m.type === 'update' && m.update.endOfRib ? [`${m.update.endOfRib.afi}/${m.update.endOfRib.safi}`] : [],
    );
    expect(eor).toEqual(expect.arrayContaining(['1/1', '2/1', '1/133', '2/133']));
  });
  it('FlowSpec with packet length and the IPv6 prefix offset octet (RFC 8956 §3.1)', () => {
    const flows = msgs.flatMap(flowsOf);
    expect(flows).toContain('flow4 dst 198.51.100.9/32 proto =17 sport =123 len >=400');
    expect(flows.some((f) => f.startsWith('flow6 dst 2001:db8::9/128'))).toBe(true);
  });
});
