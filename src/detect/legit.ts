// Legitimate traffic (collateral damage, docs/engine.md "Collateral rollback"): one pass over the
// window's rows that sums, per host or prefix target under a rule or an incoming attack, the bytes no
// standing rule (or, before any rule, the attack's signature) covers. The pass goes a bucket's row store
// at a time, so the app can spread it over several event-loop turns: read whole, under a heavy attack
// it holds flow receiving for tens of milliseconds, and a new attack's start waits behind it.

import type { RowPredicate } from './collateral.js';
import type { CounterSet } from './counters.js';
import type { RowStore } from './rows.js';

/** Legitimate traffic towards a target under attack or mitigation, as the engine's `legit-traffic` input. */
export interface LegitReport {
  readonly target: string;
  /** Bits/s of the target's traffic that no active rule covers (no rule yet: that the attack's signature does not describe). */
  readonly bps: number;
}

/** One target of a pass: its set (0 hosts, 2 prefixes, incoming) and id, and what covers its rows. */
export interface LegitTarget {
  readonly target: string;
  readonly si: 0 | 2;
  readonly id: number;
  readonly covered: readonly RowPredicate[];
  /** What the target received before the surge, bits/s (0: unknown; then what `covered` leaves). */
  readonly floor: number;
}

/** Per-id marks of one pass (host ids, prefix ids): index + 1 into the pass's targets, 0 for none. */
export type LegitMarks = [Int32Array, Int32Array];

export class LegitScan {
  private next = 0;
  /** Targets whose rows the pass reads (a target reported at its floor needs none). */
  private reading = 0;
  private readonly bytes: Float64Array;
  /** Each target's id generation at the start: an id evicted and reused meanwhile is left out. */
  private readonly gens: Uint32Array;
  private finished = false;

  constructor(
    private readonly stores: readonly RowStore[],
    private readonly sets: readonly CounterSet[],
    private readonly targets: readonly LegitTarget[],
    private readonly marks: LegitMarks,
    private readonly winSec: number,
    /** Called with the marks, cleared, when the pass is over (the detector reuses them). */
    private readonly release: (marks: LegitMarks) => void,
  ) {
    this.bytes = new Float64Array(targets.length);
    this.gens = new Uint32Array(targets.length);
    targets.forEach((t, i) => {
      // a target reported at its floor needs none of its rows read
      if (t.floor > 0) return;
      (t.si === 0 ? marks[0] : marks[1])[t.id] = i + 1;
      this.reading++;
      this.gens[i] = (sets[t.si] as CounterSet).gen[t.id] as number;
    });
  }

  get done(): boolean {
    return this.next >= this.stores.length || this.reading === 0;
  }

  /** Reads the next bucket's rows; true when every bucket has been read. */
  step(): boolean {
    if (this.done) return true;
    const st = this.stores[this.next++] as RowStore;
    const [hostAcc, prefixAcc] = this.marks;
    const inHost = st.inHost;
    const inPrefix = st.inPrefix;
    // typed-array reads per row, not Map lookups: hundreds of thousands of rows a second under an attack
    for (let r = 0; r < st.length; r++) {
      const h = inHost[r] as number;
      const ha = h >= 0 && h < hostAcc.length ? (hostAcc[h] as number) : 0;
      if (ha !== 0) this.uncovered(ha - 1, st, r);
      const p = inPrefix[r] as number;
      const pa = p >= 0 && p < prefixAcc.length ? (prefixAcc[p] as number) : 0;
      if (pa !== 0) this.uncovered(pa - 1, st, r);
    }
    return this.done;
  }

  private uncovered(t: number, st: RowStore, r: number): void {
    for (const pred of (this.targets[t] as LegitTarget).covered) if (pred(st, r)) return;
    this.bytes[t] = (this.bytes[t] as number) + (st.bytes[r] as number);
  }

  /** Reads what is left and reports; gives the marks back. */
  finish(): LegitReport[] {
    while (!this.step());
    if (!this.finished) {
      this.finished = true;
      for (const t of this.targets) if (t.floor <= 0) (t.si === 0 ? this.marks[0] : this.marks[1])[t.id] = 0;
      this.release(this.marks);
    }
    const out: LegitReport[] = [];
    this.targets.forEach((t, i) => {
      if (t.floor <= 0 && (this.sets[t.si] as CounterSet).gen[t.id] !== this.gens[i]) return;
      out.push({
        target: t.target,
        bps: t.floor > 0 ? t.floor : ((this.bytes[i] as number) * 8) / this.winSec,
      });
    });
    return out;
  }
}
