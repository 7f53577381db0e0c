// The native BGP speaker: many peers, one session each, an Adj-RIB-Out per peer keyed by (family, NLRI
// bytes) that is re-sent whole when the session comes up and on ROUTE-REFRESH (RFC 2918, RFC 7313),
// End-of-RIB after the initial sync (RFC 4724 §2), incremental UPDATEs batched by attribute set.
// One writer: every change goes through upsertRule/withdrawRule; flushes run on the event loop.
import net from 'node:net';
import type { Rule } from '../domain/rule.js';
import { concat, hex } from './codec/bytes.js';
import type { DecodedUpdate } from './codec/update.js';
import { decodeFlowSpecNlris, decodeVpnFlowSpecNlris } from '../flowspec/index.js';
import { FAMILY_CODES, familyName, type FamilyName } from './codec/constants.js';
import type { PathAttributes } from './codec/attributes/index.js';
import { formatCommunity } from './codec/attributes/communities.js';
import { formatLargeCommunity } from './codec/attributes/large-communities.js';
import { encodeShutdown } from './codec/notification.js';
import { packAnnounce, packWithdraw } from './codec/pack.js';
import { encodeRouteRefresh, RefreshSubtype } from './codec/route-refresh.js';
import { encodeEndOfRib } from './codec/update.js';
import {
  bgpConfigSchema,
  peerName,
  type BgpConfig,
  type BgpConfigInput,
  type BgpPeerConfig,
} from './config.js';
import type { SessionState } from './fsm.js';
import type { Negotiated } from './negotiate.js';
import { bytesToIp as bytesToIpSafe } from './ip.js';
import { renderRule, type RenderedRoute } from './render.js';
import { BgpSession, type SessionCounters } from './session.js';

export interface SpeakerOptions {
  readonly random?: () => number;
  readonly now?: () => number;
  readonly log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

interface RibOwner {
  readonly ruleId: string;
  readonly route: RenderedRoute;
  /** Attribute-set identity for batching. */
  readonly attrKey: string;
}

/** One peer: its session, its Adj-RIB-Out, what the peer holds from us in this session. */
class PeerRuntime {
  readonly session: BgpSession;
  /** key = family|nlri-hex → owners in insertion order; the last owner's route is announced. */
  readonly rib = new Map<string, Map<string, RibOwner>>();
  /** key → attrKey of what this session has sent. */
  readonly sent = new Map<string, string>();
  readonly dirty = new Set<string>();
  updatesOut = 0;
  prefixesOut = 0;
  withdrawalsOut = 0;
  routeRefreshIn = 0;
  /** Received FlowSpec NLRIs that fail RFC 8955 validation (handled as treat-as-withdraw, RFC 7606 §5.3). */
  flowspecErrorsIn = 0;

  constructor(
    readonly cfg: BgpPeerConfig,
    speaker: BgpSpeaker,
    global: BgpConfig,
    opts: SpeakerOptions,
  ) {
    this.session = new BgpSession(
      {
        name: peerName(cfg),
        remoteAddress: cfg.address,
        remotePort: cfg.port,
        ...(cfg.localAddress ? { localAddress: cfg.localAddress } : {}),
        passive: cfg.passive,
        remoteAs: cfg.remoteAs,
        localAs: global.localAs,
        bgpId: global.routerId,
        holdTime: cfg.holdTime,
        families: cfg.families,
        connectRetryMs: cfg.connectRetrySeconds * 1000,
        maxRetryMs: cfg.maxConnectRetrySeconds * 1000,
        gracefulRestartTime: global.gracefulRestartTime,
        extendedMessage: global.extendedMessage,
        ...(opts.random ? { random: opts.random } : {}),
        ...(opts.now ? { now: opts.now } : {}),
      },
      {
        established: (n) => speaker.onEstablished(this, n),
        down: (reason) => speaker.onDown(this, reason),
        update: (u) => speaker.onUpdateIn(this, u),
        routeRefresh: (r, n) => speaker.onRouteRefresh(this, r.afi, r.safi, n),
        stateChange: (from, to) => opts.log?.('info', 'bgp session state', { peer: peerName(cfg), from, to }),
      },
    );
  }

  get name(): string {
    return peerName(this.cfg);
  }
}

export interface PeerSnapshot {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly remoteAs: number;
  readonly passive: boolean;
  readonly state: SessionState;
  readonly stateSince: string;
  readonly uptimeSeconds: number | null;
  readonly families: readonly FamilyName[];
  readonly negotiatedFamilies: readonly FamilyName[];
  readonly holdTime: number | null;
  readonly peerBgpId: string | null;
  readonly adjRibOut: Readonly<Partial<Record<FamilyName, number>>>;
  readonly counters: SessionCounters & {
    updatesOut: number;
    prefixesOut: number;
    withdrawalsOut: number;
    routeRefreshIn: number;
    flowspecErrorsIn: number;
  };
  readonly lastError: string | null;
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

export interface RuleOutcome {
  readonly ok: boolean;
  /** Per peer: the route description, skipped reason or error. */
  readonly peers: Readonly<
    Record<
      string,
      { readonly ok: boolean; readonly route?: string; readonly skipped?: string; readonly error?: string }
    >
  >;
}

/**
 * RIB key: family, '|', then the NLRI bytes one char per octet (latin1). Cheaper to build and hash than
 * hex on the announce path; family names hold no '|', so the first '|' always ends the family.
 */
const ribKey = (family: FamilyName, nlri: Uint8Array): string => `${family}|${octetString(nlri)}`;

function octetString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

export class BgpSpeaker {
  readonly config: BgpConfig;
  private readonly peers = new Map<string, PeerRuntime>();
  /** Rule id → the rule and its RIB key on each peer it renders for ([peer name, key] pairs). */
  private readonly rules = new Map<string, { rule: Rule; keys: (readonly [string, string])[] }>();
  private server: net.Server | undefined;
  private flushScheduled = false;
  private started = false;

  constructor(
    config: BgpConfigInput | BgpConfig,
    private readonly opts: SpeakerOptions = {},
  ) {
    this.config = bgpConfigSchema.parse(config);
    for (const p of this.config.peers)
      this.peers.set(peerName(p), new PeerRuntime(p, this, this.config, opts));
  }

  /** Bound listener address (port resolved when listen.port was 0). */
  listenAddress(): net.AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.config.listen.enabled) {
      const server = net.createServer((sock) => this.onInbound(sock));
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.config.listen.address, port: this.config.listen.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (e) => this.opts.log?.('error', 'bgp listener error', { error: e.message }));
    }
    for (const p of this.peers.values()) p.session.start();
  }

  async stop(message = 'floodgate shutting down'): Promise<void> {
    for (const p of this.peers.values()) p.session.stop('speaker stopped', encodeShutdown(2, message));
    const server = this.server;
    this.server = undefined;
    this.started = false;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private onInbound(sock: net.Socket): void {
    const remote = (sock.remoteAddress ?? '').replace(/^::ffff:/, '');
    const peer = [...this.peers.values()].find((p) => p.cfg.address === remote);
    if (!peer) {
      this.opts.log?.('warn', 'bgp connection from unknown address refused', { remote });
      sock.destroy();
      return;
    }
    peer.session.acceptInbound(sock);
  }

  peerNames(): string[] {
    return [...this.peers.keys()];
  }

  sessionStates(): Record<string, SessionState> {
    return Object.fromEntries([...this.peers].map(([n, p]) => [n, p.session.state]));
  }

  /** Install or replace a rule on every peer it renders for. */
  upsertRule(rule: Rule): RuleOutcome {
    const prev = this.rules.get(rule.id);
    const keys: (readonly [string, string])[] = [];
    const rendered: { p: PeerRuntime; key: string; route: RenderedRoute }[] = [];
    const out: Record<string, { ok: boolean; route?: string; skipped?: string; error?: string }> = {};
    let ok = true;
    for (const p of this.peers.values()) {
      const r = renderRule(rule, p.cfg, this.config);
      if (!r.ok) {
        out[p.name] = { ok: false, error: r.error };
        ok = false;
        continue;
      }
      if (!r.route) {
        out[p.name] = { ok: true, skipped: r.skipped };
        continue;
      }
      const route = r.route;
      const key = ribKey(route.family, route.nlri);
      keys.push([p.name, key]);
      rendered.push({ p, key, route });
      // The text is formatted only if the outcome is read (audit payload, logs), not per announce. An own
      // enumerable getter, so JSON.stringify and structuredClone (memory store) both still see it.
      out[p.name] = {
        ok: true,
        get route(): string {
          return route.description;
        },
      };
    }
    if (!ok) return { ok, peers: out };
    // Remove the previous version's routes that the new version does not reuse.
    if (prev) {
      for (const [peerNameKey, key] of prev.keys) {
        if (!keys.some(([n, k]) => n === peerNameKey && k === key))
          this.removeOwner(peerNameKey, key, rule.id);
      }
    }
    for (const { p, key, route } of rendered) {
      let owners = p.rib.get(key);
      if (!owners) p.rib.set(key, (owners = new Map<string, RibOwner>()));
      owners.delete(rule.id); // re-insert so the newest version wins
      owners.set(rule.id, { ruleId: rule.id, route, attrKey: attrKey(route) });
      p.dirty.add(key);
    }
    this.rules.set(rule.id, { rule, keys });
    this.scheduleFlush();
    return { ok, peers: out };
  }

  withdrawRule(ruleId: string): boolean {
    const held = this.rules.get(ruleId);
    if (!held) return false;
    for (const [peer, key] of held.keys) this.removeOwner(peer, key, ruleId);
    this.rules.delete(ruleId);
    this.scheduleFlush();
    return true;
  }

  heldRules(): Rule[] {
    return [...this.rules.values()].map((r) => r.rule);
  }

  private removeOwner(peer: string, key: string, ruleId: string): void {
    const p = this.peers.get(peer);
    const owners = p?.rib.get(key);
    if (!p || !owners) return;
    owners.delete(ruleId);
    if (owners.size === 0) p.rib.delete(key);
    p.dirty.add(key);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const p of this.peers.values()) this.flushPeer(p);
    });
  }

  /** Promise that resolves once pending changes have been written to every established session. */
  async flushed(): Promise<void> {
    while (this.flushScheduled) await new Promise((r) => setImmediate(r));
  }

  /** Full attribute set of a route on one session. */
  private attributesFor(p: PeerRuntime, r: RenderedRoute): PathAttributes {
    const ibgp = p.cfg.remoteAs === this.config.localAs;
    return {
      origin: 0,
      asPath: ibgp ? [] : [{ type: 2, asns: [this.config.localAs] }],
      ...(r.nextHop !== undefined ? { nextHop: r.nextHop } : {}),
      ...(ibgp ? { localPref: p.cfg.localPref } : {}),
      communities: r.communities,
      extendedCommunities: r.extendedCommunities,
      largeCommunities: r.largeCommunities,
    };
  }

  private flushPeer(p: PeerRuntime, only?: ReadonlySet<string>): void {
    const n = p.session.negotiated;
    if (p.session.state !== 'Established' || !n) return;
    const keys = only ?? p.dirty;
    const announce = new Map<string, { family: FamilyName; route: RenderedRoute; nlri: Uint8Array[] }>();
    const withdraw = new Map<FamilyName, Uint8Array[]>();
    for (const key of keys) {
      p.dirty.delete(key);
      const family = key.slice(0, key.indexOf('|')) as FamilyName;
      if (!n.families.includes(family)) continue;
      const owners = p.rib.get(key);
      const top = owners ? lastOwner(owners) : undefined;
      if (top) {
        if (p.sent.get(key) === top.attrKey) continue;
        const g = `${family}|${top.attrKey}`;
        const group = announce.get(g) ?? { family, route: top.route, nlri: [] };
        group.nlri.push(top.route.nlri);
        announce.set(g, group);
        p.sent.set(key, top.attrKey);
      } else if (p.sent.has(key)) {
        const nlri = fromRibKey(key);
        const list = withdraw.get(family) ?? [];
        list.push(nlri);
        withdraw.set(family, list);
        p.sent.delete(key);
      }
    }
    const ctx = { fourOctetAs: n.fourOctetAs };
    const msgs: Uint8Array[] = [];
    for (const [family, nlri] of withdraw) {
      const c = FAMILY_CODES[family];
      msgs.push(...packWithdraw(c.afi, c.safi, nlri, n.maxMessage, ctx));
      p.withdrawalsOut += nlri.length;
    }
    for (const g of announce.values()) {
      const c = FAMILY_CODES[g.family];
      msgs.push(
        ...packAnnounce(
          {
            afi: c.afi,
            safi: c.safi,
            ...(g.route.mpNextHop ? { mpNextHop: g.route.mpNextHop } : {}),
            attributes: this.attributesFor(p, g.route),
            nlri: g.nlri,
          },
          n.maxMessage,
          ctx,
        ),
      );
      p.prefixesOut += g.nlri.length;
    }
    for (const m of msgs) p.session.send(m);
    p.updatesOut += msgs.length;
  }

  /** Session up: send the whole Adj-RIB-Out, then End-of-RIB per family. */
  onEstablished(p: PeerRuntime, n: Negotiated): void {
    this.opts.log?.('info', 'bgp session established', { peer: p.name, families: n.families });
    p.sent.clear();
    for (const key of p.rib.keys()) p.dirty.add(key);
    this.flushPeer(p);
    const ctx = { fourOctetAs: n.fourOctetAs };
    for (const f of n.families) {
      const c = FAMILY_CODES[f];
      p.session.send(encodeEndOfRib(c.afi, c.safi, ctx));
    }
  }

  onDown(p: PeerRuntime, reason: string): void {
    this.opts.log?.('warn', 'bgp session down', { peer: p.name, reason });
    p.sent.clear();
  }

  /**
   * Received UPDATEs: we originate only and keep no Adj-RIB-In, but FlowSpec NLRIs are still validated so a
   * peer sending malformed ones shows up in the counters (RFC 8955 §4.2: malformed = treat-as-withdraw).
   */
  onUpdateIn(p: PeerRuntime, u: DecodedUpdate): void {
    const mp = u.update.attributes.mpReach;
    if (!mp || (mp.safi !== 133 && mp.safi !== 134) || (mp.afi !== 1 && mp.afi !== 2)) return;
    const buf = concat(mp.nlri);
    const fam = mp.afi === 1 ? 4 : 6;
    const err =
      mp.safi === 133 ? decodeFlowSpecNlris(buf, fam).error : decodeVpnFlowSpecNlris(buf, fam).error;
    if (err) {
      p.flowspecErrorsIn++;
      this.opts.log?.('warn', 'malformed FlowSpec NLRI from peer (treat-as-withdraw)', {
        peer: p.name,
        error: err.message,
      });
    }
  }

  /** ROUTE-REFRESH: re-send the family whole, framed by BoRR/EoRR with enhanced route refresh (RFC 7313 §4). */
  onRouteRefresh(p: PeerRuntime, afi: number, safi: number, n: Negotiated): void {
    const family = familyName(afi, safi);
    if (!family || !n.families.includes(family)) return;
    p.routeRefreshIn++;
    const enhanced = n.enhancedRouteRefresh;
    if (enhanced) p.session.send(encodeRouteRefresh(afi, safi, RefreshSubtype.BORR));
    const keys = new Set<string>();
    for (const key of p.rib.keys()) {
      if (key.startsWith(`${family}|`)) {
        keys.add(key);
        p.sent.delete(key);
      }
    }
    this.flushPeer(p, keys);
    if (enhanced) p.session.send(encodeRouteRefresh(afi, safi, RefreshSubtype.EORR));
    else p.session.send(encodeEndOfRib(afi, safi, { fourOctetAs: n.fourOctetAs }));
  }

  peersSnapshot(): PeerSnapshot[] {
    const now = (this.opts.now ?? Date.now)();
    return [...this.peers.values()].map((p) => {
      const s = p.session;
      const n = s.state === 'Established' ? s.negotiated : undefined;
      const counts: Partial<Record<FamilyName, number>> = {};
      for (const key of p.rib.keys()) {
        const f = key.slice(0, key.indexOf('|')) as FamilyName;
        counts[f] = (counts[f] ?? 0) + 1;
      }
      return {
        name: p.name,
        address: p.cfg.address,
        port: p.cfg.port,
        remoteAs: p.cfg.remoteAs,
        passive: p.cfg.passive,
        state: s.state,
        stateSince: new Date(s.since).toISOString(),
        uptimeSeconds: s.establishedAt !== undefined ? Math.floor((now - s.establishedAt) / 1000) : null,
        families: p.cfg.families,
        negotiatedFamilies: n?.families ?? [],
        holdTime: n?.holdTime ?? null,
        peerBgpId: n?.peerBgpId ?? null,
        adjRibOut: counts,
        counters: {
          ...s.counters,
          messagesIn: { ...s.counters.messagesIn },
          messagesOut: { ...s.counters.messagesOut },
          updatesOut: p.updatesOut,
          prefixesOut: p.prefixesOut,
          withdrawalsOut: p.withdrawalsOut,
          routeRefreshIn: p.routeRefreshIn,
          flowspecErrorsIn: p.flowspecErrorsIn,
        },
        lastError: s.lastError ?? s.counters.lastError ?? null,
      };
    });
  }

  adjRibOut(peer: string): AdjRibOutEntry[] | undefined {
    const p = this.peers.get(peer) ?? [...this.peers.values()].find((x) => x.cfg.address === peer);
    if (!p) return undefined;
    const out: AdjRibOutEntry[] = [];
    for (const [key, owners] of p.rib) {
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
        advertised: p.sent.get(key) === top.attrKey,
      });
    }
    return out;
  }
}

function mpNextHopText(b: Uint8Array): string {
  try {
    // 32 bytes = global + link-local (RFC 2545 §3): show the global one.
    return bytesToIpSafe(b.length === 32 ? b.subarray(0, 16) : b);
  } catch {
    return hex(b);
  }
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
