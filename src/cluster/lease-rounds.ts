// Detector role: the shard lease rounds, one at a time, each under a time limit. A round renews the leases
// (shard-leases.ts), stops and releases what this detector must give up, then makes the consumers follow the
// leases. Every await of a round goes through its Step, so a round that hangs (a JetStream call or a
// PostgreSQL query that never answers) is abandoned at its deadline — with a warning naming the step and
// the shard — and the next round runs. An abandoned round never takes another step; only the call that hung
// may still finish late, and each such call is harmless on its own: a late consumer start sees that its
// shard is no longer wanted and closes at once, a late lease release is fenced by the lease epoch, and the
// next round re-reads the leases from the database.

/** One awaited step of a round, by name and shard (for the warning when it is the one that hangs). */
export interface Step {
  run<T>(name: string, shard: number | undefined, fn: () => Promise<T>): Promise<T>;
}

/** Runs each step as it is (outside the runner: init, leave, tests of the lease logic). */
export const untimed: Step = { run: (_name, _shard, fn) => fn() };

export class RoundTimeout extends Error {
  constructor(
    readonly step: string,
    readonly shard: number | undefined,
    readonly limitMs: number,
  ) {
    super(
      `shard lease round exceeded ${limitMs} ms at ${step}${shard !== undefined ? ` (shard ${shard})` : ''}`,
    );
  }
}

export interface RoundStats {
  /** Rounds abandoned at their time limit (a step hung). */
  roundsTimedOut: number;
  /** Rounds that ended on an error (a query or a JetStream call failed). */
  roundsFailed: number;
  /** The step, and shard, at which the last round timed out. */
  lastTimeout: { step: string; shard: number | null } | null;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RoundLog {
  warn(obj: object, msg: string): void;
}

/** The steps of one round and its deadline. Once the deadline has passed every step fails at once. */
class RoundSteps implements Step {
  private pending: { step: string; shard: number | undefined } = { step: 'between steps', shard: undefined };
  private expired: RoundTimeout | undefined;
  private fail: (e: RoundTimeout) => void = () => undefined;
  readonly deadline: Promise<never>;
  private readonly handle: unknown;

  constructor(
    private readonly limitMs: number,
    private readonly timers: Timers,
  ) {
    this.deadline = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.deadline.catch(() => undefined);
    this.handle = timers.set(() => {
      this.expired = new RoundTimeout(this.pending.step, this.pending.shard, limitMs);
      this.fail(this.expired);
    }, limitMs);
  }

  async run<T>(step: string, shard: number | undefined, fn: () => Promise<T>): Promise<T> {
    if (this.expired) throw this.expired;
    this.pending = { step, shard };
    try {
      const p = fn();
      // the call may settle after the round was abandoned: its outcome is of no further interest
      p.catch(() => undefined);
      return await Promise.race([p, this.deadline]);
    } finally {
      if (!this.expired) this.pending = { step: 'between steps', shard: undefined };
    }
  }

  done(): void {
    this.timers.clear(this.handle);
  }
}

/**
 * Serialises the rounds: tick() starts one unless one is still running (then it returns that one), so there
 * are never two at once, and none outlives its limit, so a hung step never blocks the rounds after it.
 */
export class LeaseRounds {
  readonly stats: RoundStats = { roundsTimedOut: 0, roundsFailed: 0, lastTimeout: null };
  private current: Promise<void> | undefined;

  constructor(
    private readonly body: (step: Step) => Promise<void>,
    readonly limitMs: number,
    private readonly log: RoundLog,
    private readonly timers: Timers = realTimers,
  ) {}

  tick(): Promise<void> {
    if (!this.current) this.current = this.runOne().finally(() => (this.current = undefined));
    return this.current;
  }

  /** The running round, if any (stop() waits for it: at most limitMs). */
  idle(): Promise<void> {
    return this.current ?? Promise.resolve();
  }

  private async runOne(): Promise<void> {
    const steps = new RoundSteps(this.limitMs, this.timers);
    try {
      const body = this.body(steps);
      body.catch(() => undefined); // an abandoned body fails at its next step: already reported
      // the deadline also bounds any await of the body that did not go through a step
      await Promise.race([body, steps.deadline]);
    } catch (e) {
      if (e instanceof RoundTimeout) {
        this.stats.roundsTimedOut++;
        this.stats.lastTimeout = { step: e.step, shard: e.shard ?? null };
        this.log.warn(
          { step: e.step, shard: e.shard ?? null, limitMs: e.limitMs },
          'cluster: shard lease round timed out',
        );
      } else {
        this.stats.roundsFailed++;
        this.log.warn({ err: (e as Error).message }, 'cluster: shard lease round failed');
      }
    } finally {
      steps.done();
    }
  }
}

/** What a round needs of the leases (ShardLeases). */
export interface RoundLeases {
  readonly owned: ReadonlySet<number>;
  round(step: Step): Promise<{ readonly claim: readonly number[]; readonly release: readonly number[] }>;
  release(shards: readonly number[], step: Step): Promise<void>;
}

/** What a round needs of the consumers (FlowConsumer). */
export interface RoundConsumers {
  /** Shards with a running consumer. */
  readonly stats: { readonly shards: readonly number[] };
  start(shard: number): Promise<void>;
  stop(shard: number): Promise<void>;
}

export interface RoundChange {
  readonly claimed: readonly number[];
  readonly released: readonly number[];
  /** Consumers started or stopped to follow the leases (what an earlier, abandoned round left undone). */
  readonly started: readonly number[];
  readonly stopped: readonly number[];
}

/**
 * One round: renew and compute the leases; stop the consumer of each shard to give up before releasing it
 * (never two owners at once); then consumers follow the leases whatever an earlier round left undone.
 */
export async function rebalanceRound(
  leases: RoundLeases,
  consumers: RoundConsumers,
  step: Step,
): Promise<RoundChange> {
  const { claim, release } = await leases.round(step);
  for (const s of release) {
    await step.run('stop consumer', s, () => consumers.stop(s));
    await leases.release([s], step);
  }
  const stopped: number[] = [];
  for (const s of [...consumers.stats.shards]) {
    if (leases.owned.has(s)) continue;
    await step.run('stop consumer', s, () => consumers.stop(s));
    if (!release.includes(s)) stopped.push(s);
  }
  const started: number[] = [];
  const running = new Set(consumers.stats.shards);
  for (const s of [...leases.owned].sort((a, b) => a - b)) {
    if (running.has(s)) continue;
    await step.run('start consumer', s, () => consumers.start(s));
    if (!claim.includes(s)) started.push(s);
  }
  return { claimed: claim, released: release, started, stopped };
}
