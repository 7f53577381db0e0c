// Rates for people, declared once: one SI formatter and the styles the engine (audit reasons), notices,
// the dashboard and the CLI print with. A style names its unit and how many decimals each prefix gets;
// a prefix a style leaves out is never used by it.

export type SiPrefix = 'T' | 'G' | 'M' | 'k';
const PREFIXES: readonly (readonly [number, SiPrefix])[] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

export interface RateStyle {
  /** Unit after the prefix ('bps' → "Gbps"). */
  readonly unit: string;
  /** Decimals per prefix used. */
  readonly digits: Readonly<Partial<Record<SiPrefix, number>>>;
  /** Space between number and unit (default true). */
  readonly space?: boolean;
  /** Show negative values as 0 (counters that cannot go below). */
  readonly nonNegative?: boolean;
}

/** Engine and audit text: "1.23 Gbps", "512.0 Mbps". */
export const BPS: RateStyle = { unit: 'bps', digits: { G: 2, M: 1, k: 1 } };
/** Notices and status pages: "1.2 Gbit/s". */
export const BITS: RateStyle = { unit: 'bit/s', digits: { T: 1, G: 1, M: 1, k: 1 }, nonNegative: true };
/** Dashboard: "1.23 Gbit/s", "12.50 Mbit/s". */
export const DASHBOARD_BITS: RateStyle = { unit: 'bit/s', digits: { G: 2, M: 2, k: 1 } };
export const DASHBOARD_PACKETS: RateStyle = { unit: 'pkt/s', digits: { G: 2, M: 2, k: 1 } };
/** Notices: "1.2 Mpps". */
export const PACKETS: RateStyle = { unit: 'pps', digits: { M: 1, k: 1 } };
/** Compact tables (CLI analyze): "1.23G". */
export const COMPACT: RateStyle = { unit: '', digits: { G: 2, M: 2, k: 1 }, space: false };

export function formatRate(n: number, style: RateStyle): string {
  const v = style.nonNegative ? Math.max(0, n) : n;
  const a = Math.abs(v);
  const sep = style.space === false ? '' : ' ';
  for (const [factor, prefix] of PREFIXES) {
    const d = style.digits[prefix];
    if (d !== undefined && a >= factor) return `${(v / factor).toFixed(d)}${sep}${prefix}${style.unit}`;
  }
  return `${v.toFixed(0)}${sep}${style.unit}`;
}
