// The imperative shell around fsm.ts for one peer: owns the TCP socket (node:net) and the timers, frames
// and decodes messages, feeds events to the pure FSM and performs its effects. Counters for health.
import net from 'node:net';
import { concat } from './codec/bytes.js';
import { CeaseSubcode, ErrorCode, bgpError, type BgpError } from './codec/errors.js';
import { splitMessages } from './codec/header.js';
import { KEEPALIVE } from './codec/keepalive.js';
import { decodeMessage, type MessageKind } from './codec/message.js';
import { describeNotification, encodeNotification, type NotificationMessage } from './codec/notification.js';
import { encodeOpen } from './codec/open.js';
import type { RouteRefreshMessage } from './codec/route-refresh.js';
import type { DecodedUpdate } from './codec/update.js';
import { MAX_MESSAGE_LENGTH, type FamilyName } from './codec/constants.js';
import {
  initialState,
  resolveCollision,
  step,
  type FsmEffect,
  type FsmEvent,
  type FsmState,
  type SessionState,
  type TimerName,
} from './fsm.js';
import { localCapabilities, negotiate, type Negotiated } from './negotiate.js';

export interface SessionOptions {
  readonly name: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress?: string;
  readonly passive: boolean;
  readonly remoteAs: number;
  readonly localAs: number;
  readonly bgpId: string;
  readonly holdTime: number;
  readonly families: readonly FamilyName[];
  readonly connectRetryMs: number;
  readonly maxRetryMs: number;
  readonly gracefulRestartTime?: number;
  readonly extendedMessage?: boolean;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface SessionHandlers {
  established(n: Negotiated): void;
  down(reason: string): void;
  update(u: DecodedUpdate, n: Negotiated): void;
  routeRefresh(r: RouteRefreshMessage, n: Negotiated): void;
  stateChange?(from: SessionState, to: SessionState): void;
}

const KINDS: readonly MessageKind[] = ['open', 'update', 'notification', 'keepalive', 'route-refresh'];
const KIND_BY_CODE: Readonly<Record<number, MessageKind>> = {
  1: 'open',
  2: 'update',
  3: 'notification',
  4: 'keepalive',
  5: 'route-refresh',
};
const zero = (): Record<MessageKind, number> =>
  Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<MessageKind, number>;

export interface SessionCounters {
  messagesIn: Record<MessageKind, number>;
  messagesOut: Record<MessageKind, number>;
  prefixesAnnouncedIn: number;
  prefixesWithdrawnIn: number;
  /** UPDATEs handled by RFC 7606 treat-as-withdraw / attribute-discard. */
  updateErrorsIn: number;
  flaps: number;
  establishedCount: number;
  lastError?: string;
  lastNotificationIn?: string;
  lastNotificationOut?: string;
}

export class BgpSession {
  private fsm: FsmState;
  private sock: net.Socket | undefined;
  private outbound = false;
  private rx: Uint8Array = new Uint8Array(0);
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private readonly caps;
  negotiated: Negotiated | undefined;
  readonly counters: SessionCounters = {
    messagesIn: zero(),
    messagesOut: zero(),
    prefixesAnnouncedIn: 0,
    prefixesWithdrawnIn: 0,
    updateErrorsIn: 0,
    flaps: 0,
    establishedCount: 0,
  };
  establishedAt: number | undefined;

  constructor(
    readonly opts: SessionOptions,
    private readonly handlers: SessionHandlers,
  ) {
    this.caps = localCapabilities({
      asn: opts.localAs,
      families: opts.families,
      ...(opts.gracefulRestartTime !== undefined ? { gracefulRestartTime: opts.gracefulRestartTime } : {}),
      ...(opts.extendedMessage !== undefined ? { extendedMessage: opts.extendedMessage } : {}),
    });
    this.fsm = initialState(
      {
        passive: opts.passive,
        holdTime: opts.holdTime,
        remoteAs: opts.remoteAs,
        localBgpId: opts.bgpId,
        connectRetryMs: opts.connectRetryMs,
        maxRetryMs: opts.maxRetryMs,
        random: opts.random ?? Math.random,
      },
      this.now(),
    );
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  get state(): SessionState {
    return this.fsm.state;
  }

  get since(): number {
    return this.fsm.since;
  }

  get lastError(): string | undefined {
    return this.fsm.lastError;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  /** ManualStop: Cease (administrative shutdown) and no automatic restart. */
  stop(reason = 'stopped', notification?: Uint8Array): void {
    this.dispatch(notification ? { type: 'stop', reason, notification } : { type: 'stop', reason });
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Send a pre-encoded UPDATE / ROUTE-REFRESH; false when the session is not Established. */
  send(bytes: Uint8Array): boolean {
    if (this.fsm.state !== 'Established' || !this.sock) return false;
    this.write(bytes);
    return true;
  }

  private write(bytes: Uint8Array): void {
    const s = this.sock;
    if (!s || s.destroyed) return;
    const kind = KIND_BY_CODE[bytes[18] ?? 0];
    if (kind) this.counters.messagesOut[kind]++;
    s.write(bytes);
  }

  /** Hand over a connection accepted by the speaker's listener (passive side, collision rules §6.8). */
  acceptInbound(socket: net.Socket): void {
    const st = this.fsm.state;
    if (this.fsm.stopped && st === 'Idle') {
      this.reject(socket, CeaseSubcode.CONNECTION_REJECTED);
      return;
    }
    if (st === 'Established' || st === 'OpenSent') {
      this.reject(socket, CeaseSubcode.CONNECTION_COLLISION);
      return;
    }
    if (st === 'OpenConfirm') {
      const remote = this.fsm.peerOpen?.bgpId ?? '0.0.0.0';
      if (resolveCollision(this.opts.bgpId, remote, this.outbound) === 'existing') {
        this.reject(socket, CeaseSubcode.CONNECTION_COLLISION);
        return;
      }
      this.dispatch({
        type: 'message-error',
        error: bgpError(
          ErrorCode.CEASE,
          CeaseSubcode.CONNECTION_COLLISION,
          'connection collision: inbound connection wins',
        ),
      });
    }
    if (this.fsm.state === 'Idle') {
      this.clearTimer('connect-retry');
      this.dispatch({ type: 'start' });
    }
    this.dropSocket();
    this.adopt(socket, false);
    this.dispatch({ type: 'tcp-connected' });
  }

  private reject(socket: net.Socket, subcode: number): void {
    socket.on('error', () => undefined);
    socket.end(encodeNotification(ErrorCode.CEASE, subcode));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private adopt(socket: net.Socket, outbound: boolean): void {
    this.sock = socket;
    this.outbound = outbound;
    this.rx = new Uint8Array(0);
    socket.setNoDelay(true);
    let sockErr: string | undefined;
    socket.on('data', (d: Buffer) => {
      if (this.sock === socket) this.onData(d);
    });
    socket.on('error', (err) => {
      // 'close' always follows 'error'; only remember why.
      sockErr = `socket error: ${err.message}`;
    });
    socket.on('close', () => {
      if (this.sock === socket)
        this.dispatch({ type: 'tcp-failed', reason: sockErr ?? 'connection closed by peer' });
    });
  }

  private dropSocket(): void {
    const s = this.sock;
    this.sock = undefined;
    this.rx = new Uint8Array(0);
    if (!s) return;
    // Let a queued NOTIFICATION drain, then make sure the socket is gone.
    s.end();
    setTimeout(() => s.destroy(), 500).unref();
  }

  private connect(): void {
    this.dropSocket();
    const socket = net.connect({
      host: this.opts.remoteAddress,
      port: this.opts.remotePort,
      ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}),
    });
    this.adopt(socket, true);
    socket.once('connect', () => {
      if (this.sock === socket) this.dispatch({ type: 'tcp-connected' });
    });
  }

  private onData(d: Buffer): void {
    this.rx = this.rx.length === 0 ? new Uint8Array(d) : concat([this.rx, d]);
    const max =
      this.fsm.state === 'Established' && this.negotiated ? this.negotiated.maxMessage : MAX_MESSAGE_LENGTH;
    const socket = this.sock;
    const { messages, rest, error } = splitMessages(this.rx, max);
    this.rx = rest.slice();
    for (const m of messages) {
      if (this.sock !== socket) return; // the FSM closed this connection while we were processing
      this.onMessage(m);
    }
    if (error && this.sock === socket) this.dispatch({ type: 'message-error', error });
  }

  private onMessage(m: ReturnType<typeof splitMessages>['messages'][number]): void {
    const kind = KIND_BY_CODE[m.type];
    if (kind) this.counters.messagesIn[kind]++;
    const ctx = { fourOctetAs: this.negotiated?.fourOctetAs ?? true };
    const r = decodeMessage(m, ctx);
    if (!r.ok) {
      this.dispatch({ type: 'message-error', error: r });
      return;
    }
    const msg = r.value;
    switch (msg.type) {
      case 'open':
        this.negotiated = negotiate(this.caps, msg.open, Math.min(this.opts.holdTime, msg.open.holdTime));
        this.dispatch({ type: 'open-received', open: msg.open });
        return;
      case 'keepalive':
        this.dispatch({ type: 'keepalive-received' });
        return;
      case 'notification':
        this.counters.lastNotificationIn = describeNotification(msg.notification);
        this.dispatch({ type: 'notification-received', notification: msg.notification });
        return;
      case 'route-refresh':
        this.dispatch({ type: 'route-refresh-received' });
        if (this.fsm.state === 'Established' && this.negotiated)
          this.handlers.routeRefresh(msg.refresh, this.negotiated);
        return;
      case 'update': {
        this.dispatch({ type: 'update-received' });
        if (this.fsm.state !== 'Established' || !this.negotiated) return;
        const u = msg.update;
        if (u.issues.length > 0) this.counters.updateErrorsIn++;
        const reach = u.update.nlri.length + (u.update.attributes.mpReach?.nlri.length ?? 0);
        const unreach = u.update.withdrawn.length + (u.update.attributes.mpUnreach?.nlri.length ?? 0);
        if (u.treatAsWithdraw) this.counters.prefixesWithdrawnIn += reach + unreach;
        else {
          this.counters.prefixesAnnouncedIn += reach;
          this.counters.prefixesWithdrawnIn += unreach;
        }
        this.handlers.update(u, this.negotiated);
        return;
      }
    }
  }

  private dispatch(e: FsmEvent): void {
    const from = this.fsm.state;
    const r = step(this.fsm, e, this.now());
    this.fsm = r.state;
    if (from !== r.state.state) this.handlers.stateChange?.(from, r.state.state);
    for (const eff of r.effects) this.perform(eff);
  }

  private clearTimer(t: TimerName): void {
    const h = this.timers.get(t);
    if (h) clearTimeout(h);
    this.timers.delete(t);
  }

  private perform(eff: FsmEffect): void {
    switch (eff.type) {
      case 'connect':
        this.connect();
        return;
      case 'close':
        this.dropSocket();
        return;
      case 'send-open':
        this.write(
          encodeOpen({
            asn: this.opts.localAs,
            holdTime: this.opts.holdTime,
            bgpId: this.opts.bgpId,
            capabilities: this.caps,
          }),
        );
        return;
      case 'send-keepalive':
        this.write(KEEPALIVE);
        return;
      case 'send-notification': {
        const n: NotificationMessage = {
          code: eff.code,
          subcode: eff.subcode,
          data: eff.data ?? new Uint8Array(0),
        };
        this.counters.lastNotificationOut = describeNotification(n);
        this.counters.lastError = this.counters.lastNotificationOut;
        this.write(encodeNotification(eff.code, eff.subcode, eff.data));
        return;
      }
      case 'send-raw':
        this.write(eff.bytes);
        return;
      case 'set-timer': {
        this.clearTimer(eff.timer);
        const h = setTimeout(() => {
          this.timers.delete(eff.timer);
          this.dispatch({ type: 'timer', timer: eff.timer });
        }, eff.ms);
        h.unref();
        this.timers.set(eff.timer, h);
        return;
      }
      case 'clear-timer':
        this.clearTimer(eff.timer);
        return;
      case 'established':
        this.counters.establishedCount++;
        this.establishedAt = this.now();
        if (this.negotiated) this.handlers.established(this.negotiated);
        return;
      case 'down':
        this.counters.flaps++;
        this.counters.lastError = eff.reason;
        this.establishedAt = undefined;
        this.handlers.down(eff.reason);
        return;
    }
  }
}

export type { BgpError };
