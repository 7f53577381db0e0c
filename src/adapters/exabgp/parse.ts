// Parsers for ExaBGP API answers: `show neighbor summary` (session states) and `show adj-rib out`
// (what exabgp currently announces, for reconciliation). Unknown lines are skipped, never guessed at.

/** `Peer AS up/down state |  #sent #recvd` table → peer → state. */
export function parseNeighborSummary(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const m = /^\s*([0-9a-fA-F.:]+)\s+(\d+)\s+(\S+)\s+([a-z]+)\b/.exec(line);
    if (m && (m[1] as string).length >= 2 && /[.:]/.test(m[1] as string))
      out[m[1] as string] = m[4] as string;
  }
  return out;
}

export interface AdjRibOutEntry {
  readonly neighbor: string;
  readonly family: 4 | 6;
  readonly kind: 'flowspec' | 'rtbh';
  /** Destination prefix (FlowSpec destination component or the unicast prefix). */
  readonly prefix: string;
  readonly line: string;
}

/** `neighbor 127.0.0.1 ipv4 flow flow destination-ipv4 P …` / `neighbor 127.0.0.1 ipv4 unicast P next-hop …`. */
export function parseAdjRibOut(lines: readonly string[]): AdjRibOutEntry[] {
  const out: AdjRibOutEntry[] = [];
  for (const line of lines) {
    const t = line.trim().split(/\s+/);
    if (t[0] !== 'neighbor' || t.length < 5) continue;
    const afi = t[2];
    const safi = t[3];
    if (afi !== 'ipv4' && afi !== 'ipv6') continue;
    const family = afi === 'ipv4' ? 4 : 6;
    if (safi === 'flow') {
      const i = t.findIndex((x) => /^destination(-ipv[46])?$/.test(x));
      const p = i >= 0 ? t[i + 1] : undefined;
      if (!p) continue;
      // IPv6 FlowSpec prefixes print as addr/len/offset
      const prefix = p.split('/').slice(0, 2).join('/');
      out.push({ neighbor: t[1] as string, family, kind: 'flowspec', prefix, line: line.trim() });
    } else if (safi === 'unicast') {
      const prefix = t[4] as string;
      out.push({ neighbor: t[1] as string, family, kind: 'rtbh', prefix, line: line.trim() });
    }
  }
  return out;
}
