// RPKI data in force: the most preferred RTR cache in sync (RFC 8210 §10) plus any VRP files, merged
// into one VrpTable that route origin validation reads. Raises the stale-data alarm when there is no
// usable data or a file's data is older than `staleAfterSeconds`.
import { type Prefix, parsePrefix } from '../net/prefix.js';
import type { RpkiConfig } from './config.js';
import { RtrClient, type RtrClientStatus } from './rtr/client.js';
import { VrpFileSource, type VrpSourceStatus } from './source.js';
import { VrpTable, type RovResult, type RovState, describeRov } from './table.js';
import type { Vrp } from './vrp.js';

export type RpkiLog = (
  level: 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

export interface RpkiVerdict {
  /** 'no-data': no cache in sync and no file loaded (or all expired). */
  readonly state: RovState | 'no-data';
  readonly originAs: number;
  readonly result?: RovResult;
  /** The state and the VRPs behind it, in words (logs, audit). */
  readonly detail: string;
}

export interface RpkiStatus {
  readonly originAs: number | null;
  readonly vrps: { readonly ipv4: number; readonly ipv6: number; readonly total: number };
  /** Which cache the RTR data comes from now, if any. */
  readonly activeCache: string | null;
  readonly caches: readonly RtrClientStatus[];
  readonly files: readonly VrpSourceStatus[];
  readonly stale: boolean;
  readonly staleReason: string | null;
  readonly builtAt: number | null;
}

export interface RpkiServiceOptions {
  readonly config: RpkiConfig;
  /** The AS our unicast announcements carry (rpki.originAs, else the speaker's local AS). */
  readonly originAs?: number;
  readonly log?: RpkiLog;
  /** Called when the stale-data alarm is raised or cleared. */
  readonly onStale?: (stale: boolean, reason: string) => void;
  readonly now?: () => number;
}

export class RpkiService {
  private readonly clients: RtrClient[];
  private readonly files: VrpFileSource[];
  private table: VrpTable | undefined;
  private activeCache: string | undefined;
  private builtAt: number | undefined;
  private rebuildQueued = false;
  private stale: { stale: boolean; reason: string } = { stale: false, reason: '' };
  private staleTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly opts: RpkiServiceOptions) {
    this.now = opts.now ?? Date.now;
    const log = opts.log ?? (() => {});
    const changed = () => this.queueRebuild();
    this.clients = opts.config.caches.map(
      (c) =>
        new RtrClient({
          cache: { host: c.host, port: c.port },
          version: c.version,
          maxRefreshSeconds: opts.config.maxRefreshSeconds,
          onChange: changed,
          log,
          now: this.now,
        }),
    );
    this.files = opts.config.files.map(
      (f) =>
        new VrpFileSource(
          {
            refreshSeconds: f.refreshSeconds,
            ...(f.path ? { path: f.path } : {}),
            ...(f.url ? { url: f.url } : {}),
          },
          changed,
          log,
          this.now,
        ),
    );
  }

  /** Whether any source is configured at all. */
  get configured(): boolean {
    return this.clients.length + this.files.length > 0;
  }

  get originAs(): number | undefined {
    return this.opts.originAs;
  }

  async start(): Promise<void> {
    for (const c of this.clients) c.start();
    await Promise.all(this.files.map((f) => f.start()));
    this.staleTimer = setInterval(() => this.checkStale(), 1000);
    this.staleTimer.unref?.();
  }

  stop(): void {
    for (const c of this.clients) c.stop();
    for (const f of this.files) f.stop();
    if (this.staleTimer) clearInterval(this.staleTimer);
  }

  /** Resolves true once some data is in force, false after the timeout. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.table) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve(this.table !== undefined);
      };
      const t = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** RFC 6811 validation of `prefix` originated by `originAs` (default: ours). */
  validate(prefix: Prefix | string, originAs: number | undefined = this.opts.originAs): RpkiVerdict {
    const p = typeof prefix === 'string' ? parsePrefix(prefix) : prefix;
    const asn = originAs ?? 0;
    if (!this.table)
      return {
        state: 'no-data',
        originAs: asn,
        detail: this.configured
          ? 'no RPKI data in force (no cache in sync, no VRP file loaded, or the data expired)'
          : 'no RPKI source configured (rpki.caches / rpki.files)',
      };
    const result = this.table.validate(p, asn);
    return { state: result.state, originAs: asn, result, detail: describeRov(p, asn, result) };
  }

  status(): RpkiStatus {
    return {
      originAs: this.opts.originAs ?? null,
      vrps: {
        ipv4: this.table?.count(4) ?? 0,
        ipv6: this.table?.count(6) ?? 0,
        total: this.table?.size ?? 0,
      },
      activeCache: this.activeCache ?? null,
      caches: this.clients.map((c) => c.status()),
      files: this.files.map((f) => f.status()),
      stale: this.stale.stale,
      staleReason: this.stale.stale ? this.stale.reason : null,
      builtAt: this.builtAt ?? null,
    };
  }

  private queueRebuild(): void {
    if (this.rebuildQueued) return;
    this.rebuildQueued = true;
    // several sources often change in the same turn (start-up, Serial Notify to many caches)
    setImmediate(() => {
      this.rebuildQueued = false;
      this.rebuild();
    });
  }

  private rebuild(): void {
    const parts: Iterable<Vrp>[] = [];
    this.activeCache = undefined;
    for (const c of this.clients) {
      const v = c.vrps();
      if (v) {
        parts.push(v.values());
        this.activeCache = c.name;
        break; // RFC 8210 §10: the most preferred cache with data
      }
    }
    for (const f of this.files) {
      const v = f.vrps();
      if (v) parts.push(v);
    }
    this.table = parts.length ? new VrpTable(chain(parts)) : undefined;
    this.builtAt = this.now();
    this.opts.log?.('info', 'RPKI VRP set in force', {
      vrps: this.table?.size ?? 0,
      cache: this.activeCache ?? null,
      files: this.files.filter((f) => f.vrps()).length,
    });
    this.checkStale();
    // waiters want data: a rebuild without any (a preferred cache refused the connection) is not it
    if (this.table) for (const w of [...this.waiters]) w();
  }

  private checkStale(): void {
    if (!this.configured) return;
    let reason = '';
    if (!this.table)
      reason = 'no RPKI data in force: every cache is down or expired and no VRP file is loaded';
    else {
      const limit = this.opts.config.staleAfterSeconds * 1000;
      for (const f of this.files) {
        const s = f.status();
        const at = s.generatedAt ?? s.loadedAt;
        if (at !== null && this.now() - at > limit) {
          reason = `VRP data from ${s.source} is ${Math.round((this.now() - at) / 1000)} s old (staleAfterSeconds ${this.opts.config.staleAfterSeconds})`;
          break;
        }
      }
    }
    const stale = reason !== '';
    if (stale !== this.stale.stale) {
      this.stale = { stale, reason };
      this.opts.log?.(stale ? 'error' : 'info', stale ? 'RPKI data is stale' : 'RPKI data is fresh again', {
        reason: reason || null,
      });
      this.opts.onStale?.(stale, stale ? reason : 'RPKI data in force again');
    }
  }
}

function* chain<T>(parts: Iterable<T>[]): Iterable<T> {
  for (const p of parts) yield* p;
}
