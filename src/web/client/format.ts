// Number and time formatting for the dashboard; rates through the one formatter (src/domain/rate.ts).
import { DASHBOARD_BITS, DASHBOARD_PACKETS, type RateStyle, formatRate } from '../../domain/rate.js';

const rate = (n: number | undefined, style: RateStyle): string =>
  n === undefined || !Number.isFinite(n) ? '–' : formatRate(n, style);
export const bps = (n: number | undefined) => rate(n, DASHBOARD_BITS);
export const pps = (n: number | undefined) => rate(n, DASHBOARD_PACKETS);

export function time(ms: number | undefined): string {
  if (!ms) return '–';
  const d = new Date(ms);
  return d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function ago(ms: number | undefined, now = Date.now()): string {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export const pct = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(x * 100)} %`);
