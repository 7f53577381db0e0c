// The public view of a tenant's incidents for its status page and feeds: plain words, no internal
// names, and no addresses unless the tenant allows them. Pure: incidents and `now` in, view out.
import type { Incident, Severity } from '../types.js';
import { familyWords, formatBits, formatDuration } from '../words.js';

export type PublicState = 'operational' | 'monitoring' | 'mitigating' | 'recovering';

export interface PublicUpdate {
  readonly at: string;
  readonly text: string;
}

export interface PublicIncident {
  readonly id: string;
  readonly title: string;
  readonly ongoing: boolean;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly resolvedAt?: string;
  readonly duration: string;
  /** Only when the tenant allows addresses on its page. */
  readonly target?: string;
  readonly attack: string;
  readonly peak?: string;
  /** What is being done about it, in plain words. */
  readonly mitigation: string;
  readonly updates: readonly PublicUpdate[];
}

export interface PublicDay {
  readonly date: string;
  readonly incidents: number;
  readonly worst: Severity | 'none';
}

export interface PublicStatus {
  readonly tenant: string;
  readonly title: string;
  readonly description: string;
  readonly generatedAt: string;
  readonly state: PublicState;
  readonly summary: string;
  readonly current: readonly PublicIncident[];
  readonly history: readonly PublicIncident[];
  readonly days: readonly PublicDay[];
  readonly historyDays: number;
}

export interface PageSettings {
  readonly title: string;
  readonly description: string;
  readonly showAddresses: boolean;
}

const DAY = 86_400_000;

const SUMMARY: Record<PublicState, string> = {
  operational: 'All systems operational. No attack in progress.',
  monitoring: 'Unusual traffic is being watched. No action has been needed so far.',
  mitigating: 'An attack is in progress and is being mitigated.',
  recovering: 'The attack has ended; protective measures are being wound down.',
};

function stateOf(i: Incident): PublicState {
  if (i.state === 'resolved') return 'operational';
  if (i.activeAttacks.length > 0) return i.activeRules.length > 0 ? 'mitigating' : 'monitoring';
  return i.activeRules.length > 0 ? 'recovering' : 'monitoring';
}

const RANK: Record<PublicState, number> = { operational: 0, monitoring: 1, recovering: 2, mitigating: 3 };

export function publicIncident(i: Incident, page: PageSettings, now: number): PublicIncident | undefined {
  const updates = i.timeline
    .filter((e) => e.publicText !== undefined)
    .map((e) => ({ at: new Date(e.at).toISOString(), text: e.publicText as string }))
    .reverse();
  if (updates.length === 0) return undefined;
  const ongoing = i.state !== 'resolved';
  const attack = i.families.length ? i.families.map(familyWords).join(', ') : 'unusual traffic';
  const where = page.showAddresses ? i.subject : 'one of your services';
  const end = i.resolvedAt ?? now;
  return {
    id: i.id,
    title: `${ongoing ? 'Ongoing' : 'Resolved'}: ${attack} against ${where}`,
    ongoing,
    startedAt: new Date(i.openedAt).toISOString(),
    updatedAt: new Date(i.updatedAt).toISOString(),
    ...(i.resolvedAt !== undefined ? { resolvedAt: new Date(i.resolvedAt).toISOString() } : {}),
    duration: formatDuration(end - i.openedAt),
    ...(page.showAddresses ? { target: i.subject } : {}),
    attack,
    ...(i.peakBps > 0 ? { peak: formatBits(i.peakBps) } : {}),
    mitigation: ongoing ? i.mitigation : 'no mitigation in place',
    updates,
  };
}

export function publicStatus(
  tenant: string,
  page: PageSettings,
  incidents: readonly Incident[],
  now: number,
  historyDays: number,
): PublicStatus {
  const since = now - historyDays * DAY;
  const mine = incidents.filter(
    (i) => i.tenant === tenant && (i.state !== 'resolved' || (i.resolvedAt ?? i.updatedAt) >= since),
  );
  const current: PublicIncident[] = [];
  const history: PublicIncident[] = [];
  let state: PublicState = 'operational';
  for (const i of [...mine].sort((a, b) => b.openedAt - a.openedAt)) {
    const p = publicIncident(i, page, now);
    if (!p) continue;
    if (p.ongoing) {
      current.push(p);
      if (RANK[stateOf(i)] > RANK[state]) state = stateOf(i);
    } else history.push(p);
  }
  // one cell per UTC day, oldest first: how many incidents started that day and the worst severity
  const order = ['info', 'warning', 'critical'];
  const perDay = new Map<number, { incidents: number; worst: Severity | 'none' }>();
  for (const i of mine) {
    if (!i.timeline.some((e) => e.publicText)) continue;
    const d = Math.floor(i.openedAt / DAY);
    const cell = perDay.get(d) ?? { incidents: 0, worst: 'none' as Severity | 'none' };
    cell.incidents++;
    if (order.indexOf(i.severity) > order.indexOf(cell.worst)) cell.worst = i.severity;
    perDay.set(d, cell);
  }
  const days: PublicDay[] = [];
  const today = Math.floor(now / DAY);
  for (let d = today - historyDays + 1; d <= today; d++) {
    const cell = perDay.get(d);
    days.push({
      date: new Date(d * DAY).toISOString().slice(0, 10),
      incidents: cell?.incidents ?? 0,
      worst: cell?.worst ?? 'none',
    });
  }
  return {
    tenant,
    title: page.title || `${tenant} status`,
    description: page.description,
    generatedAt: new Date(now).toISOString(),
    state,
    summary: SUMMARY[state],
    current,
    history,
    days,
    historyDays,
  };
}
