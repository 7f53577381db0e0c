// Maintenance windows: a notice whose subject overlaps a window's targets while the window is open is
// recorded on its incident but not sent. Pure; the shell merges config windows and API-made ones.
import { prefixOverlaps, tryParsePrefix } from '../net/index.js';
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
