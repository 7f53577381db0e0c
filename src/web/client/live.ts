// The live feed: reads GET /api/v1/stream (server-sent events) with fetch, so the bearer token goes
// in the Authorization header (EventSource cannot send headers), and keeps the dashboard's live
// state in signals: open attacks, per-second rate series, recent audit records, health changes.
import { batch, signal } from '@preact/signals';
import { authHeaders, get, session } from './api.js';
import { readEventStream } from '../sse.js';
import type { AttackEvent, AttackRecord, AuditRecord, OpsEvent, RatesEvent } from './types.js';

/** Ended attacks younger than this are listed when the page opens. */
const RECENT_MS = 3_600_000;
/** Attacks listed at most (ended ones beyond it are dropped, oldest first). */
const MAX_ATTACKS = 200;
/** Seconds of rate history kept per target. */
const HISTORY = 600;

export interface Series {
  t: number[];
  pps: number[];
  bps: number[];
  baselinePps: (number | null)[];
  baselineBps: (number | null)[];
}

export const connected = signal(false);
export const attacks = signal<ReadonlyMap<string, AttackRecord>>(new Map());
export const rates = signal<ReadonlyMap<string, Series>>(new Map());
export const recentAudit = signal<readonly AuditRecord[]>([]);
/** Bumped on every audit record: views holding rules or audit pages reload. */
export const auditTick = signal(0);
export const healthTick = signal(0);
/** Exporter silences and returns seen on the stream (newest first). */
export const exporterEvents = signal<readonly Extract<OpsEvent, { type: 'exporter' }>[]>([]);

/** Bumps a tick at most once a second, so a burst of records costs the views one reload (and the
 * token's API rate limit one request). */
function throttled(tick: { value: number }): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      tick.value++;
    }, 1000);
  };
}
const bumpAudit = throttled(auditTick);
const bumpHealth = throttled(healthTick);

function onAttack(e: AttackEvent): void {
  const next = new Map(attacks.value);
  const prev = next.get(e.attackId);
  next.set(e.attackId, {
    attackId: e.attackId,
    target: e.target,
    family: e.family,
    direction: e.direction,
    startedAt: e.startedAt,
    ...(e.kind === 'end' ? { endedAt: e.at } : prev?.endedAt ? { endedAt: prev.endedAt } : {}),
    lastEvent: e,
  });
  // a long-open page keeps every open attack and the latest ended ones
  if (next.size > MAX_ATTACKS) {
    const ended = [...next.values()]
      .filter((a) => a.endedAt !== undefined)
      .sort((x, y) => x.endedAt! - y.endedAt!);
    for (const a of ended.slice(0, next.size - MAX_ATTACKS)) next.delete(a.attackId);
  }
  attacks.value = next;
}

function onRates(r: RatesEvent): void {
  if (r.samples.length === 0) return;
  const next = new Map(rates.value);
  const t = Math.round(r.at / 1000);
  for (const s of r.samples) {
    const key = s.target;
    const old = next.get(key);
    const series: Series = old ? { ...old } : { t: [], pps: [], bps: [], baselinePps: [], baselineBps: [] };
    if (series.t[series.t.length - 1] === t) continue;
    const cut = series.t.length >= HISTORY ? 1 : 0;
    series.t = [...series.t.slice(cut), t];
    series.pps = [...series.pps.slice(cut), s.pps];
    series.bps = [...series.bps.slice(cut), s.bps];
    series.baselinePps = [...series.baselinePps.slice(cut), s.baselinePps ?? null];
    series.baselineBps = [...series.baselineBps.slice(cut), s.baselineBps ?? null];
    next.set(key, series);
  }
  if (next.size > MAX_ATTACKS) {
    const listed = new Set([...attacks.value.values()].map((a) => a.target));
    for (const key of next.keys()) if (!listed.has(key)) next.delete(key);
  }
  rates.value = next;
}

function dispatch(type: string, data: string): void {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return;
  }
  batch(() => {
    switch (type) {
      case 'attack':
        onAttack((body as { event: AttackEvent }).event);
        break;
      case 'rates':
        onRates(body as RatesEvent);
        break;
      case 'audit':
        recentAudit.value = [(body as { record: AuditRecord }).record, ...recentAudit.value].slice(0, 200);
        bumpAudit();
        break;
      case 'exporter':
        exporterEvents.value = [
          body as Extract<OpsEvent, { type: 'exporter' }>,
          ...exporterEvents.value,
        ].slice(0, 100);
        bumpHealth();
        break;
      case 'adapter':
      case 'bgp-session':
      case 'rpki':
        bumpHealth();
        break;
    }
  });
}

let controller: AbortController | undefined;

/** Loads the open attacks, then follows the stream until stop(); reconnects after a drop. */
export function start(): void {
  stop();
  const ctl = new AbortController();
  controller = ctl;
  void (async () => {
    let delay = 1000;
    while (!ctl.signal.aborted && session.value) {
      try {
        // what is open now and what happened in the last hour, then the live feed
        const [open, recent] = await Promise.all([
          get<{ attacks: AttackRecord[] }>('/api/v1/attacks?active=true'),
          get<{ attacks: AttackRecord[] }>(`/api/v1/attacks?since=${Date.now() - RECENT_MS}&limit=50`),
        ]);
        const map = new Map(attacks.value);
        for (const a of [...recent.attacks, ...open.attacks]) map.set(a.attackId, a);
        attacks.value = map;
        const res = await fetch('/api/v1/stream', {
          headers: { ...authHeaders(), accept: 'text/event-stream' },
          signal: ctl.signal,
        });
        if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
        connected.value = true;
        delay = 1000;
        await readEventStream(res.body, dispatch);
      } catch {
        /* dropped or refused: retry below */
      }
      connected.value = false;
      if (ctl.signal.aborted) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  })();
}

export function stop(): void {
  controller?.abort();
  controller = undefined;
  connected.value = false;
}
