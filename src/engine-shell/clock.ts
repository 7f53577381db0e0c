// Time source of the runner: the system clock in production, a virtual clock in simulate and tests.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to (floodgate simulate, scenario tests). */
export class VirtualClock implements Clock {
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    if (t < this.t) throw new RangeError(`virtual clock cannot go back from ${this.t} to ${t}`);
    this.t = t;
  }
  advance(ms: number): void {
    this.set(this.t + ms);
  }
}
