// Producers of the health events on the operational bus: samples adapter health, the native speaker's
// BGP session states and the flow exporters' last-seen times once per interval and publishes what changed
// (adapter up/down, bgp-session up/down, exporter silent/back). The diff is a pure function of the previous
// state, the new sample and `now`; the watcher around it only owns the timer.
import type { EventBus, OpsEvent } from '../domain/events.js';

export interface HealthSample {
  /** Adapter name → status (up, degraded, down) and detail. */
  readonly adapters: Readonly<Record<string, { readonly status: string; readonly detail?: string }>>;
  /** BGP peer → FSM state. */
  readonly sessions: Readonly<Record<string, string>>;
  /** Exporter address → last datagram (ms since epoch). */
  readonly exporters: Readonly<Record<string, number>>;
}

export interface HealthState {
  readonly adapterDown: ReadonlyMap<string, boolean>;
  readonly established: ReadonlyMap<string, boolean>;
  readonly silent: ReadonlySet<string>;
}

export const EMPTY_HEALTH: HealthState = {
  adapterDown: new Map(),
  established: new Map(),
  silent: new Set(),
};

/** What changed between the last state and this sample. Degraded counts as up (it still carries rules). */
export function diffHealth(
  prev: HealthState,
  sample: HealthSample,
  now: number,
  silentMs: number,
): { state: HealthState; events: OpsEvent[] } {
  const events: OpsEvent[] = [];
  const adapterDown = new Map<string, boolean>();
  for (const [name, h] of Object.entries(sample.adapters)) {
    const down = h.status === 'down';
    const was = prev.adapterDown.get(name);
    adapterDown.set(name, down);
    // first sight: only a down adapter is news
    if (was === undefined ? down : was !== down)
      events.push({
        type: 'adapter',
        at: now,
        adapter: name,
        state: down ? 'down' : 'up',
        ...(h.detail ? { detail: h.detail } : {}),
      });
  }
  const established = new Map<string, boolean>();
  for (const [peer, st] of Object.entries(sample.sessions)) {
    const up = st === 'Established';
    const was = prev.established.get(peer) ?? false;
    established.set(peer, up);
    if (up !== was)
      events.push({ type: 'bgp-session', at: now, peer, state: up ? 'up' : 'down', detail: `state ${st}` });
  }
  const silent = new Set<string>();
  for (const [exporter, lastSeen] of Object.entries(sample.exporters)) {
    const quietFor = now - lastSeen;
    const isSilent = lastSeen > 0 && quietFor >= silentMs;
    if (isSilent) silent.add(exporter);
    if (isSilent && !prev.silent.has(exporter))
      events.push({ type: 'exporter', at: now, exporter, state: 'silent', silentForMs: quietFor });
    else if (!isSilent && prev.silent.has(exporter))
      events.push({ type: 'exporter', at: now, exporter, state: 'back' });
  }
  return { state: { adapterDown, established, silent }, events };
}

export interface HealthWatcherOptions {
  readonly bus: EventBus;
  readonly sample: () => HealthSample;
  readonly intervalMs: number;
  readonly exporterSilentMs: number;
  readonly now?: () => number;
  readonly onError?: (err: unknown) => void;
}

export class HealthWatcher {
  private state: HealthState = EMPTY_HEALTH;
  private timer: NodeJS.Timeout | undefined;
  private opts: HealthWatcherOptions;

  constructor(opts: HealthWatcherOptions) {
    this.opts = opts;
  }

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.check(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** New interval or silence threshold (live reload). */
  reconfigure(intervalMs: number, exporterSilentMs: number): void {
    const restart = intervalMs !== this.opts.intervalMs && this.timer !== undefined;
    this.opts = { ...this.opts, intervalMs, exporterSilentMs };
    if (restart) this.start();
  }

  /** One sample and publish (public so tests need no timer). */
  check(now = (this.opts.now ?? Date.now)()): OpsEvent[] {
    try {
      const out = diffHealth(this.state, this.opts.sample(), now, this.opts.exporterSilentMs);
      this.state = out.state;
      for (const e of out.events) this.opts.bus.publish(e);
      return out.events;
    } catch (err) {
      this.opts.onError?.(err);
      return [];
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
