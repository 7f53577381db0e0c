// Socket runner for one RTR cache (RFC 8210 over plain TCP, §9.1). It feeds bytes and timers into the
// pure session (session.ts) and performs its effects: writes, closes, reconnects with backoff,
// refresh / retry / expire timers from End of Data (§6).
import { Socket } from 'node:net';
import type { Vrp } from '../vrp.js';
import { RtrDecodeError, decodeStream, encodePdu, type RtrVersion } from './pdu.js';
import { type RtrEffect, type RtrInput, type RtrState, initialRtrState, rtrStep } from './session.js';

export interface RtrCacheAddress {
  readonly host: string;
  readonly port: number;
}

export interface RtrClientOptions {
  readonly cache: RtrCacheAddress;
  /** Highest version to offer; a version-0 cache makes us step down (RFC 8210 §7). */
  readonly version?: RtrVersion;
  readonly connectTimeoutMs?: number;
  /** A query the cache leaves unanswered this long closes the connection (then reconnect with backoff). */
  readonly responseTimeoutMs?: number;
  /** First reconnect delay; doubles up to the cache's retry interval. */
  readonly minBackoffMs?: number;
  /** Caps the refresh interval the cache asks for (seconds); Serial Notify still applies at once. */
  readonly maxRefreshSeconds?: number;
  /** Called whenever the usable VRP set or the connection state changes. */
  readonly onChange?: () => void;
  readonly log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  readonly now?: () => number;
}

export interface RtrClientStatus {
  readonly cache: string;
  readonly version: RtrVersion;
  readonly state: 'connecting' | 'syncing' | 'synced' | 'down';
  readonly sessionId: number | null;
  readonly serial: number | null;
  readonly vrps: number;
  /** ms since epoch of the last End of Data, null before the first. */
  readonly lastSyncAt: number | null;
  /** The VRP set is older than the expire interval and no longer used. */
  readonly expired: boolean;
  readonly timers: { refresh: number; retry: number; expire: number };
  readonly lastError: string | null;
  readonly errors: number;
}

export class RtrClient {
  private state: RtrState;
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private stopped = true;
  private connecting = false;
  private backoffMs: number;
  private lastSyncAt: number | undefined;
  private expired = false;
  private lastError: string | undefined;
  private errors = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private expireTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: RtrClientOptions) {
    this.state = initialRtrState(opts.version ?? 1);
    this.backoffMs = opts.minBackoffMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  get name(): string {
    return `${this.opts.cache.host}:${this.opts.cache.port}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.refreshTimer, this.retryTimer, this.expireTimer]) if (t) clearTimeout(t);
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** The VRP set in force from this cache, or undefined before the first sync and after expiry. */
  vrps(): ReadonlyMap<string, Vrp> | undefined {
    return this.lastSyncAt === undefined || this.expired ? undefined : this.state.vrps;
  }

  status(): RtrClientStatus {
    const phase = this.state.phase;
    return {
      cache: this.name,
      version: this.state.version,
      state:
        phase === 'synced'
          ? 'synced'
          : phase === 'receiving' || phase === 'awaiting-response'
            ? 'syncing'
            : this.connecting
              ? 'connecting'
              : 'down',
      sessionId: this.state.sessionId ?? null,
      serial: this.state.serial ?? null,
      vrps: this.vrps()?.size ?? 0,
      lastSyncAt: this.lastSyncAt ?? null,
      expired: this.expired,
      timers: { ...this.state.timers },
      lastError: this.lastError ?? null,
      errors: this.errors,
    };
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
    this.opts.log?.(level, msg, { cache: this.name, ...fields });
  }

  private connect(): void {
    if (this.stopped || this.socket) return;
    this.connecting = true;
    const socket = new Socket();
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.connectTimeoutMs ?? 5000);
    socket.once('connect', () => {
      this.connecting = false;
      // from now on the socket's idle timer guards answers: armed on each query, off once in sync
      socket.setTimeout(0);
      this.log('info', 'RTR connected', { version: this.state.version });
      this.feed({ type: 'connected' });
    });
    socket.on('timeout', () =>
      socket.destroy(
        new Error(
          this.connecting
            ? 'connect timeout'
            : `no answer from the cache within ${this.responseTimeoutMs / 1000} s`,
        ),
      ),
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.lastError = err.message;
      this.errors++;
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.connecting = false;
      this.feed({ type: 'closed' });
      this.scheduleReconnect();
      this.opts.onChange?.();
    });
    socket.connect(this.opts.cache.port, this.opts.cache.host);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, Math.max(1000, this.state.timers.retry * 1000));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
    this.retryTimer.unref?.();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let decoded;
    try {
      decoded = decodeStream(this.buf);
    } catch (err) {
      if (!(err instanceof RtrDecodeError)) throw err;
      this.buf = Buffer.alloc(0);
      this.feed({ type: 'decode-error', code: err.code, message: err.message, pdu: err.pdu });
      return;
    }
    this.buf = this.buf.subarray(decoded.used);
    for (const pdu of decoded.pdus) {
      try {
        this.feed({ type: 'pdu', pdu });
      } catch (err) {
        this.feed({ type: 'decode-error', code: 1, message: (err as Error).message, pdu: new Uint8Array() });
      }
      if (!this.socket) break;
    }
  }

  private feed(input: RtrInput): void {
    const out = rtrStep(this.state, input);
    this.state = out.state;
    for (const e of out.effects) this.perform(e);
  }

  private perform(e: RtrEffect): void {
    switch (e.type) {
      case 'send':
        // a query (Reset or Serial) must be answered; an Error Report or a reply of ours need not be
        if (e.pdu.type === 'reset-query' || e.pdu.type === 'serial-query')
          this.socket?.setTimeout(this.responseTimeoutMs);
        this.socket?.write(encodePdu(e.pdu));
        return;
      case 'close':
        this.lastError = e.reason;
        this.errors++;
        this.log('warn', 'RTR session closed', { reason: e.reason });
        // let queued writes (an Error Report) leave before the close
        this.socket?.end();
        return;
      case 'downgrade':
        this.log('info', 'RTR cache speaks an older version: stepping down', { version: e.version });
        this.backoffMs = this.opts.minBackoffMs ?? 1000;
        return;
      case 'cache-error':
        this.log('warn', 'RTR cache sent an Error Report', { code: e.code, text: e.text });
        return;
      case 'flushed':
        this.expired = true;
        this.log('error', 'RTR data expired: no longer used for origin validation', { reason: e.reason });
        this.opts.onChange?.();
        return;
      case 'synced':
        this.onSynced(e);
        return;
    }
  }

  private get responseTimeoutMs(): number {
    return this.opts.responseTimeoutMs ?? 30_000;
  }

  private onSynced(e: Extract<RtrEffect, { type: 'synced' }>): void {
    // idle between refreshes is normal (RFC 8210 §6): no answer timer while in sync
    this.socket?.setTimeout(0);
    this.lastSyncAt = this.now();
    this.expired = false;
    this.backoffMs = this.opts.minBackoffMs ?? 1000;
    const t = this.state.timers;
    this.log('info', 'RTR data in sync', {
      serial: e.serial,
      announced: e.announced,
      withdrawn: e.withdrawn,
      vrps: this.state.vrps.size,
    });
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const refresh = Math.min(t.refresh, this.opts.maxRefreshSeconds ?? Infinity);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.socket) this.feed({ type: 'refresh' });
    }, refresh * 1000);
    this.refreshTimer.unref?.();
    if (this.expireTimer) clearTimeout(this.expireTimer);
    this.expireTimer = setTimeout(() => {
      this.expireTimer = undefined;
      this.feed({ type: 'expired' });
    }, t.expire * 1000);
    this.expireTimer.unref?.();
    this.opts.onChange?.();
  }
}
