// gobgpd's JSON RIB (gobgp -j global rib) converted back to our types, so a route can be compared field by
// field with what we announced: NLRI components from the raw operator bytes, actions from its ext-community
// JSON forms, communities as numbers.
import type { BitmaskTerm, FlowSpecAction, FlowSpecMatch, NumericTerm } from '../../../src/flowspec/types.js';
import type { GobgpPath } from '../../support/daemons/gobgpd.js';

const KEYS: Readonly<Record<number, string>> = {
  1: 'destination',
  2: 'source',
  3: 'ipProtocol',
  4: 'port',
  5: 'destinationPort',
  6: 'sourcePort',
  7: 'icmpType',
  8: 'icmpCode',
  9: 'tcpFlags',
  10: 'packetLength',
  11: 'dscp',
  12: 'fragment',
  13: 'flowLabel',
};

export function gobgpMatch(path: GobgpPath, family: 4 | 6): FlowSpecMatch {
  const m: Record<string, unknown> = { family };
  for (const c of (path.nlri.value ?? []) as { type: number; value: unknown; offset?: number }[]) {
    const key = KEYS[c.type];
    if (!key) throw new Error(`gobgp component type ${c.type}`);
    if (c.type <= 2) {
      const p = (c.value as { prefix: string }).prefix;
      m[key] = c.offset ? { prefix: p, offset: c.offset } : { prefix: p };
    } else if (c.type === 9 || c.type === 12) {
      m[key] = (c.value as { op: number; value: number }[]).map((t): BitmaskTerm => ({
        and: (t.op & 0x40) !== 0,
        not: (t.op & 0x02) !== 0,
        match: (t.op & 0x01) !== 0,
        value: t.value,
      }));
    } else {
      m[key] = (c.value as { op: number; value: number }[]).map((t): NumericTerm => ({
        and: (t.op & 0x40) !== 0,
        lt: (t.op & 0x04) !== 0,
        gt: (t.op & 0x02) !== 0,
        eq: (t.op & 0x01) !== 0,
        value: t.value,
      }));
    }
  }
  return m as unknown as FlowSpecMatch;
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

function asdot(text: string): string {
  // gobgp writes 4-octet AS route targets in asdot ("64086.59904:100")
  const m = /^(\d+)\.(\d+):(\d+)$/.exec(text);
  return m ? `${Number(m[1]) * 65536 + Number(m[2])}:${m[3]}` : text;
}

export function gobgpActions(path: GobgpPath): FlowSpecAction[] {
  const out: FlowSpecAction[] = [];
  if (!Array.isArray(path.attrs))
    throw new Error(`gobgp path without attrs: ${JSON.stringify(path).slice(0, 400)}`);
  const mp = path.attrs.find((a) => a.type === 14);
  for (const attr of path.attrs.filter((a) => a.type === 16)) {
    for (const e of attr.value as Record<string, unknown>[]) {
      const t = e.type as number;
      const st = e.subtype as number;
      if (t === 128 && st === 6)
        out.push({ kind: 'traffic-rate-bytes', asn: e.as as number, bytesPerSecond: e.rate as number });
      else if (t === 128 && st === 12) {
        const v = b64(e.value as string); // subtype + 6 value octets
        const dv = new DataView(v.buffer, v.byteOffset);
        out.push({ kind: 'traffic-rate-packets', asn: dv.getUint16(1), packetsPerSecond: dv.getFloat32(3) });
      } else if (t === 128 && st === 7)
        out.push({ kind: 'traffic-action', terminal: !!e.terminal, sample: !!e.sample });
      else if ((t === 128 || t === 129 || t === 130) && st === 8)
        out.push({ kind: 'redirect-vrf', routeTarget: asdot(e.value as string) });
      else if (t === 128 && st === 9) out.push({ kind: 'traffic-marking', dscp: e.value as number });
      else if (t === 8 && st === 0)
        out.push({
          kind: 'redirect-ip',
          nextHop: (mp?.nexthop as string | undefined) ?? '?',
          copy: ((b64(e.value as string)[6] ?? 0) & 1) === 1,
        });
      else out.push({ kind: 'traffic-marking', dscp: -1 }); // unknown: makes the comparison fail loudly
    }
  }
  return out;
}
