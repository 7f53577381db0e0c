// How one record falls into the window's buckets (window.ts): a flow record (NetFlow, IPFIX) is spread
// evenly over its duration, bucket by bucket, and only its parts inside the window count; its one new
// flow is counted in the bucket it starts in. Pure arithmetic on record times and bucket numbers
// (epochs = time / tick), into reused scratch columns: no allocation per record.

export const A_TOT = 0;
export const A_FIRST = 3;
export const A_LAST = 6;
export const A_STEP = 9;
export const A_NSTEP = 12;

export class RecordSpread {
  /** Parts of the last record split: bucket, start time, packets, bytes, flows (n of them). */
  readonly ep: Float64Array;
  readonly t: Float64Array;
  readonly p: Float64Array;
  readonly b: Float64Array;
  readonly f: Float64Array;
  /**
   * Scratch amounts (packets, bytes, flows) for the kernels (contribution.ts addKernelAt), by triple:
   * A_TOT the parts added up, A_FIRST the first part (or a one-bucket record), A_LAST the last part,
   * A_STEP a middle part's share without flows, A_NSTEP its negation.
   */
  readonly amt = new Float64Array(15);

  /** R: the most buckets a record can fall into (the window's ring). */
  constructor(R: number) {
    this.ep = new Float64Array(R);
    this.t = new Float64Array(R);
    this.p = new Float64Array(R);
    this.b = new Float64Array(R);
    this.f = new Float64Array(R);
  }

  /**
   * The amounts of a split record of n ≥ 2 parts for its kernels (amt, A_*): all parts added up, the
   * first, the last, and the equal share of each middle part (n > 2; else zero) and its negation.
   */
  amounts(n: number): Float64Array {
    const pp = this.p;
    const pb = this.b;
    const pf = this.f;
    const amt = this.amt;
    let sumP = 0;
    let sumB = 0;
    let sumF = 0;
    for (let k = 0; k < n; k++) {
      sumP += pp[k] as number;
      sumB += pb[k] as number;
      sumF += pf[k] as number;
    }
    const stepP = n > 2 ? (pp[1] as number) : 0;
    const stepB = n > 2 ? (pb[1] as number) : 0;
    amt[A_TOT] = sumP;
    amt[A_TOT + 1] = sumB;
    amt[A_TOT + 2] = sumF;
    amt[A_FIRST] = pp[0] as number;
    amt[A_FIRST + 1] = pb[0] as number;
    amt[A_FIRST + 2] = pf[0] as number;
    amt[A_LAST] = pp[n - 1] as number;
    amt[A_LAST + 1] = pb[n - 1] as number;
    amt[A_LAST + 2] = pf[n - 1] as number;
    amt[A_STEP] = stepP;
    amt[A_STEP + 1] = stepB;
    amt[A_STEP + 2] = 0;
    amt[A_NSTEP] = -stepP;
    amt[A_NSTEP + 1] = -stepB;
    amt[A_NSTEP + 2] = 0;
    return amt;
  }

  /** A record (or what is left of it) wholly in bucket ep, starting at t: part 0. */
  one(ep: number, t: number, P: number, B: number, flows: number): void {
    this.ep[0] = ep;
    this.t[0] = t;
    this.p[0] = P;
    this.b[0] = B;
    this.f[0] = flows;
  }

  /**
   * Splits a record [s, e] (e − s > 0) of P packets and B bytes into its parts in buckets from..to
   * (inside the window), each the share of its time inside the bucket; `sr` new flows in the bucket
   * the flow starts in (or in the window's first bucket when it started in that one: epS ≥ first),
   * none for packet samples (isFlow false). Returns the number of parts with a share > 0.
   */
  split(
    s: number,
    e: number,
    epS: number,
    from: number,
    to: number,
    first: number,
    tick: number,
    P: number,
    B: number,
    sr: number,
    isFlow: boolean,
  ): number {
    const d = e - s;
    const pe = this.ep;
    const pt = this.t;
    const pp = this.p;
    const pb = this.b;
    const pf = this.f;
    let n = 0;
    for (let ep = from; ep <= to; ep++) {
      const a = ep * tick > s ? ep * tick : s;
      const z = ep === to ? e : (ep + 1) * tick < e ? (ep + 1) * tick : e;
      const frac = (z - a) / d;
      if (!(frac > 0)) continue;
      const flows = isFlow && (epS === ep || (ep === from && epS < from && epS >= first)) ? sr : 0;
      pe[n] = ep;
      pt[n] = a;
      pp[n] = P * frac;
      pb[n] = B * frac;
      pf[n] = Math.fround(flows);
      n++;
    }
    return n;
  }
}

/**
 * Ring slot (0 ≤ k < R) of bucket ep, given the current bucket `epoch` and its slot. Epochs are ~1.7e10,
 * beyond small integers, so `%` on them is a floating-point modulo: buckets within R of the current one
 * (every record's) are placed relative to the current slot instead.
 */
export function ringSlot(ep: number, epoch: number, epochSlot: number, R: number): number {
  const d = ep - epoch;
  // `| 0`: a small integer, not a double (a double result would be boxed when passed on)
  if (d > -R && d < R) {
    const k = (epochSlot + d) | 0;
    return k < 0 ? k + R : k >= R ? k - R : k;
  }
  return (((ep % R) + R) % R) | 0;
}
