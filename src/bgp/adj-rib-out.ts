// One peer's Adj-RIB-Out (RFC 4271 §3.2): the routes we advertise to it, keyed by (family, NLRI bytes),
// each with the rules that own it (the newest owner's route is the one advertised), plus what the
// current session has been sent. Pure bookkeeping and UPDATE packing, no sockets: the speaker feeds it
// rule changes and session events and writes the messages it returns. A route shared by two rules stays
// until its last owner withdraws it; routes with one attribute set share UPDATEs.
import { hex } from './codec/bytes.js';
import type { PathAttributes } from './codec/attributes/index.js';
import { formatCommunity } from './codec/attributes/communities.js';
import { formatLargeCommunity } from './codec/attributes/large-communities.js';
import { FAMILY_CODES, type FamilyName } from './codec/constants.js';
import { packAnnounce, packWithdraw } from './codec/pack.js';
import { formatIpBytes } from '../net/index.js';
import type { BgpConfig, BgpPeerConfig } from './config.js';
import type { RenderedRoute } from './render.js';

interface RibOwner {
  readonly ruleId: string;
  readonly route: RenderedRoute;
  /** Attribute-set identity for batching. */
  readonly attrKey: string;
}

export interface AdjRibOutEntry {
  readonly family: FamilyName;
  readonly nlri: string;
  readonly route: string;
  readonly ruleIds: readonly string[];
  readonly nextHop: string | null;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly extendedCommunities: readonly string[];
  /** Whether the peer currently holds it (sent in the current session). */
  readonly advertised: boolean;
}

/** What a session negotiated that packing depends on. */
export interface SessionTerms {
  readonly families: readonly FamilyName[];
  readonly fourOctetAs: boolean;
  readonly maxMessage: number;
}

export interface FlushResult {
  readonly messages: Uint8Array[];
  /** NLRIs announced and withdrawn by these messages (counters). */
  readonly announced: number;
  readonly withdrawn: number;
}

/**
 * RIB key: family, '|', then the NLRI bytes one char per octet (latin1). Cheaper to build and hash than
 * hex on the announce path; family names hold no '|', so the first '|' always ends the family.
 */
export const ribKey = (family: FamilyName, nlri: Uint8Array): string => `${family}|${octetString(nlri)}`;

export class AdjRibOut {
  /** key = family|nlri-octets → owners in insertion order; the last owner's route is announced. */
  private readonly rib = new Map<string, Map<string, RibOwner>>();
  /** key → attrKey of what this session has sent. */
  private readonly sent = new Map<string, string>();
  private readonly dirty = new Set<string>();

  /** `attributes` gives a route's full attribute set on this peer (eBGP AS_PATH, iBGP LOCAL_PREF). */
  constructor(private readonly attributes: (r: RenderedRoute) => PathAttributes) {}

  /** Adds or replaces `ruleId`'s claim on the route; the newest claim wins. */
  put(ruleId: string, route: RenderedRoute): string {
    const key = ribKey(route.family, route.nlri);
    let owners = this.rib.get(key);
    if (!owners) this.rib.set(key, (owners = new Map<string, RibOwner>()));
    owners.delete(ruleId); // re-insert so the newest version wins
    owners.set(ruleId, { ruleId, route, attrKey: attrKey(route) });
    this.dirty.add(key);
    return key;
  }

  /** Drops `ruleId`'s claim on the route at `key`; the route goes when nobody claims it. */
  remove(key: string, ruleId: string): void {
    const owners = this.rib.get(key);
    if (!owners) return;
    owners.delete(ruleId);
    if (owners.size === 0) this.rib.delete(key);
    this.dirty.add(key);
  }

  /** A new session holds nothing from us: everything is to be sent again. */
  sessionReset(): void {
    this.sent.clear();
    for (const key of this.rib.keys()) this.dirty.add(key);
  }

  /** The session went down: the peer holds nothing any more. */
  sessionDown(): void {
    this.sent.clear();
  }

  /** ROUTE-REFRESH of one family (RFC 2918, RFC 7313): the family's routes, all of them, as UPDATEs. */
  refresh(family: FamilyName, terms: SessionTerms): FlushResult {
    const keys = new Set<string>();
    for (const key of this.rib.keys()) {
      if (key.startsWith(`${family}|`)) {
        keys.add(key);
        this.sent.delete(key);
      }
    }
    return this.flush(terms, keys);
  }

  /**
   * The UPDATEs that bring the peer from what it was sent to what the RIB holds, for the changed keys
   * (or `only` these); withdrawals first, announcements grouped by attribute set.
   */
  flush(terms: SessionTerms, only?: ReadonlySet<string>): FlushResult {
    const keys = only ?? this.dirty;
    const announce = new Map<string, { family: FamilyName; route: RenderedRoute; nlri: Uint8Array[] }>();
    const withdraw = new Map<FamilyName, Uint8Array[]>();
    for (const key of keys) {
      this.dirty.delete(key);
      const family = key.slice(0, key.indexOf('|')) as FamilyName;
      if (!terms.families.includes(family)) continue;
      const owners = this.rib.get(key);
      const top = owners ? lastOwner(owners) : undefined;
      if (top) {
        if (this.sent.get(key) === top.attrKey) continue;
        const g = `${family}|${top.attrKey}`;
        const group = announce.get(g) ?? { family, route: top.route, nlri: [] };
        group.nlri.push(top.route.nlri);
        announce.set(g, group);
        this.sent.set(key, top.attrKey);
      } else if (this.sent.has(key)) {
        const list = withdraw.get(family) ?? [];
        list.push(fromRibKey(key));
        withdraw.set(family, list);
        this.sent.delete(key);
      }
    }
    const ctx = { fourOctetAs: terms.fourOctetAs };
    const messages: Uint8Array[] = [];
    let announced = 0;
    let withdrawn = 0;
    for (const [family, nlri] of withdraw) {
      const c = FAMILY_CODES[family];
      messages.push(...packWithdraw(c.afi, c.safi, nlri, terms.maxMessage, ctx));
      withdrawn += nlri.length;
    }
    for (const g of announce.values()) {
      const c = FAMILY_CODES[g.family];
      messages.push(
        ...packAnnounce(
          {
            afi: c.afi,
            safi: c.safi,
            ...(g.route.mpNextHop ? { mpNextHop: g.route.mpNextHop } : {}),
            attributes: this.attributes(g.route),
            nlri: g.nlri,
          },
          terms.maxMessage,
          ctx,
        ),
      );
      announced += g.nlri.length;
    }
    return { messages, announced, withdrawn };
  }

  /** Routes per family. */
  counts(): Partial<Record<FamilyName, number>> {
    const counts: Partial<Record<FamilyName, number>> = {};
    for (const key of this.rib.keys()) {
      const f = key.slice(0, key.indexOf('|')) as FamilyName;
      counts[f] = (counts[f] ?? 0) + 1;
    }
    return counts;
  }

  entries(): AdjRibOutEntry[] {
    const out: AdjRibOutEntry[] = [];
    for (const [key, owners] of this.rib) {
      const top = lastOwner(owners);
      if (!top) continue;
      const r = top.route;
      out.push({
        family: r.family,
        nlri: hex(r.nlri),
        route: r.description,
        ruleIds: [...owners.keys()],
        nextHop: r.nextHop ?? (r.mpNextHop && r.mpNextHop.length > 0 ? mpNextHopText(r.mpNextHop) : null),
        communities: r.communities.map(formatCommunity),
        largeCommunities: r.largeCommunities.map(formatLargeCommunity),
        extendedCommunities: r.extendedCommunities.map(hex),
        advertised: this.sent.get(key) === top.attrKey,
      });
    }
    return out;
  }
}

/** Full attribute set of a route on one session: eBGP prepends our AS, iBGP carries LOCAL_PREF. */
export function peerAttributes(
  cfg: Pick<BgpPeerConfig, 'remoteAs' | 'localPref'>,
  global: Pick<BgpConfig, 'localAs'>,
  r: RenderedRoute,
): PathAttributes {
  const ibgp = cfg.remoteAs === global.localAs;
  return {
    origin: 0,
    asPath: ibgp ? [] : [{ type: 2, asns: [global.localAs] }],
    ...(r.nextHop !== undefined ? { nextHop: r.nextHop } : {}),
    ...(ibgp ? { localPref: cfg.localPref } : {}),
    communities: r.communities,
    extendedCommunities: r.extendedCommunities,
    largeCommunities: r.largeCommunities,
  };
}

function mpNextHopText(b: Uint8Array): string {
  try {
    // 32 bytes = global + link-local (RFC 2545 §3): show the global one.
    return formatIpBytes(b.length === 32 ? b.subarray(0, 16) : b);
  } catch {
    return hex(b);
  }
}

function octetString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/** The newest owner of a route (insertion order), without copying the map. */
function lastOwner(owners: ReadonlyMap<string, RibOwner>): RibOwner | undefined {
  let last: RibOwner | undefined;
  for (const o of owners.values()) last = o;
  return last;
}

function fromRibKey(key: string): Uint8Array {
  const start = key.indexOf('|') + 1;
  const out = new Uint8Array(key.length - start);
  for (let i = 0; i < out.length; i++) out[i] = key.charCodeAt(start + i);
  return out;
}

/** Identity of a route's attribute set: routes with equal keys share UPDATEs. */
function attrKey(r: RenderedRoute): string {
  let ext = '';
  for (const e of r.extendedCommunities) ext += `${octetString(e)},`;
  const large = r.largeCommunities.map((c) => `${c.global}:${c.local1}:${c.local2}`).join(',');
  return `${r.nextHop ?? ''}|${r.mpNextHop?.length ?? 0}:${octetString(r.mpNextHop ?? EMPTY)}|${r.communities.join(',')}|${ext}|${large}`;
}

const EMPTY = new Uint8Array(0);
