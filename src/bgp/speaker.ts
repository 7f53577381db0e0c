// The native BGP speaker: many peers, one session each, an Adj-RIB-Out per peer keyed by (family, NLRI
// bytes) that is re-sent whole when the session comes up and on ROUTE-REFRESH (RFC 2918, RFC 7313),
// End-of-RIB after the initial sync (RFC 4724 §2), incremental UPDATEs batched by attribute set.
// One writer: every change goes through upsertRule/withdrawRule; flushes run on the event loop.
import net from 'node:net';
import type { Rule } from '../domain/rule.js';
import { decodeFlowSpecNlris, decodeVpnFlowSpecNlris } from '../flowspec/index.js';
import { AdjRibOut, type AdjRibOutEntry, type FlushResult, peerAttributes, ribKey } from './adj-rib-out.js';
import { concat } from './codec/bytes.js';
import { FAMILY_CODES, familyName, type FamilyName } from './codec/constants.js';
import { encodeShutdown } from './codec/notification.js';
import { encodeRouteRefresh, RefreshSubtype } from './codec/route-refresh.js';
import type { DecodedUpdate } from './codec/update.js';
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
import { renderRule, type RenderedRoute } from './render.js';
import { BgpSession, type SessionCounters } from './session.js';
import { bindError } from '../net/bind-error.js';

export type { AdjRibOutEntry } from './adj-rib-out.js';

export interface SpeakerOptions {
  readonly random?: () => number;
  readonly now?: () => number;
  readonly log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** One peer: its session, its Adj-RIB-Out, what the peer holds from us in this session. */
class PeerRuntime {
  readonly session: BgpSession;
  readonly rib: AdjRibOut;
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
    this.rib = new AdjRibOut((r) => peerAttributes(cfg, global, r));
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
      const { address, port } = this.config.listen;
      await new Promise<void>((resolve, reject) => {
        const failed = (err: Error) => {
          this.server = undefined;
          this.started = false;
          reject(bindError(err, 'bgp.listen', 'TCP', address, port));
        };
        server.once('error', failed);
        server.listen({ host: address, port }, () => {
          server.off('error', failed);
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
    const rendered: { p: PeerRuntime; route: RenderedRoute }[] = [];
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
      rendered.push({ p, route });
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
    for (const { p, route } of rendered) keys.push([p.name, ribKey(route.family, route.nlri)]);
    // Remove the previous version's routes that the new version does not reuse.
    if (prev) {
      for (const [peerNameKey, key] of prev.keys) {
        if (!keys.some(([n, k]) => n === peerNameKey && k === key))
          this.peers.get(peerNameKey)?.rib.remove(key, rule.id);
      }
    }
    for (const { p, route } of rendered) p.rib.put(rule.id, route);
    this.rules.set(rule.id, { rule, keys });
    this.scheduleFlush();
    return { ok, peers: out };
  }

  withdrawRule(ruleId: string): boolean {
    const held = this.rules.get(ruleId);
    if (!held) return false;
    for (const [peer, key] of held.keys) this.peers.get(peer)?.rib.remove(key, ruleId);
    this.rules.delete(ruleId);
    this.scheduleFlush();
    return true;
  }

  heldRules(): Rule[] {
    return [...this.rules.values()].map((r) => r.rule);
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

  private flushPeer(p: PeerRuntime): void {
    const n = p.session.negotiated;
    if (p.session.state !== 'Established' || !n) return;
    this.write(p, p.rib.flush(n));
  }

  private write(p: PeerRuntime, f: FlushResult): void {
    for (const m of f.messages) p.session.send(m);
    p.updatesOut += f.messages.length;
    p.prefixesOut += f.announced;
    p.withdrawalsOut += f.withdrawn;
  }

  /** Session up: send the whole Adj-RIB-Out, then End-of-RIB per family. */
  onEstablished(p: PeerRuntime, n: Negotiated): void {
    this.opts.log?.('info', 'bgp session established', { peer: p.name, families: n.families });
    p.rib.sessionReset();
    this.flushPeer(p);
    const ctx = { fourOctetAs: n.fourOctetAs };
    for (const f of n.families) {
      const c = FAMILY_CODES[f];
      p.session.send(encodeEndOfRib(c.afi, c.safi, ctx));
    }
  }

  onDown(p: PeerRuntime, reason: string): void {
    this.opts.log?.('warn', 'bgp session down', { peer: p.name, reason });
    p.rib.sessionDown();
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
    this.write(p, p.rib.refresh(family, n));
    if (enhanced) p.session.send(encodeRouteRefresh(afi, safi, RefreshSubtype.EORR));
    else p.session.send(encodeEndOfRib(afi, safi, { fourOctetAs: n.fourOctetAs }));
  }

  peersSnapshot(): PeerSnapshot[] {
    const now = (this.opts.now ?? Date.now)();
    return [...this.peers.values()].map((p) => {
      const s = p.session;
      const n = s.state === 'Established' ? s.negotiated : undefined;
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
        adjRibOut: p.rib.counts(),
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
    return p?.rib.entries();
  }
}
