// Number and time formatting for the dashboard.
export function si(n: number | undefined, unit: string): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)} G${unit}`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)} M${unit}`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)} k${unit}`;
  return `${n.toFixed(0)} ${unit}`;
}
export const bps = (n: number | undefined) => si(n, 'bit/s');
export const pps = (n: number | undefined) => si(n, 'pkt/s');

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
