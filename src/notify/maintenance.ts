// Maintenance windows: a notice whose subject overlaps a window's targets while the window is open is
// recorded on its incident but not sent. mutedBy is pure; the book merges config windows and API-made
// ones (persisted in the store's state table).
import { prefixOverlaps, tryParsePrefix } from '../net/index.js';
import type { StateRepository } from '../domain/store-port.js';
import type { MaintenanceWindowConfig } from './config.js';
import type { Notice } from './types.js';

export interface MaintenanceWindow {
  readonly id: string;
  readonly name: string;
  readonly targets: readonly string[];
  readonly start: number;
  readonly end: number;
  /** "config" or the API actor that made it. */
  readonly createdBy: string;
}

function targetMatches(target: string, subject: string): boolean {
  if (target === '*' || target === subject) return true;
  const a = tryParsePrefix(target, { strict: false });
  const b = tryParsePrefix(subject, { strict: false });
  return a !== undefined && b !== undefined && prefixOverlaps(a, b);
}

/** The window muting this notice at its time, if any. */
export function mutedBy(windows: readonly MaintenanceWindow[], n: Notice): MaintenanceWindow | undefined {
  return windows.find(
    (w) => n.at >= w.start && n.at < w.end && w.targets.some((t) => targetMatches(t, n.subject)),
  );
}

const KEY = 'notify.maintenance';

/** Config windows plus the ones made through the API (kept in the store's state table). */
export class MaintenanceBook {
  private made: MaintenanceWindow[] = [];

  constructor(
    private readonly fromConfig: readonly MaintenanceWindowConfig[],
    private readonly state: StateRepository,
    private readonly newId: () => string,
  ) {}

  async load(): Promise<void> {
    const saved = await this.state.get(KEY).catch(() => undefined);
    if (saved) this.made = JSON.parse(saved) as MaintenanceWindow[];
  }

  list(): MaintenanceWindow[] {
    const config = this.fromConfig.map((w, i) => ({
      id: `config-${i}`,
      name: w.name,
      targets: w.targets,
      start: Date.parse(w.start),
      end: Date.parse(w.end),
      createdBy: 'config',
    }));
    return [...config, ...this.made];
  }

  /** Adds a window; windows already over are dropped at the same time. */
  async add(w: Omit<MaintenanceWindow, 'id'>, now: number): Promise<MaintenanceWindow> {
    const made = { ...w, id: this.newId() };
    this.made = [...this.made.filter((x) => x.end > now), made];
    await this.state.put(KEY, JSON.stringify(this.made));
    return made;
  }

  async remove(id: string): Promise<boolean> {
    const before = this.made.length;
    this.made = this.made.filter((w) => w.id !== id);
    if (this.made.length === before) return false;
    await this.state.put(KEY, JSON.stringify(this.made));
    return true;
  }
}
