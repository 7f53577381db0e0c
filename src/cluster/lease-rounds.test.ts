// The shard lease rounds with injected fakes: a step that hangs is abandoned at the round's limit and named,
// the rounds after it run, and what the hung call does when it finally finishes cannot undo a later round
// (a late consumer start closes at once; the lease is released only once no loop of the shard is left).
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait.js';
import type { ClusterConfig } from './config.js';
import { FlowConsumer, type OpenLoop } from './flow-consumer.js';
import type { Link } from './jetstream.js';
import { LeaseRounds, type RoundLeases, type Step, rebalanceRound } from './lease-rounds.js';

const LIMIT_MS = 50;

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function logSink(): { warn(obj: object, msg: string): void; lines: { obj: object; msg: string }[] } {
  const lines: { obj: object; msg: string }[] = [];
  return { lines, warn: (obj, msg) => lines.push({ obj, msg }) };
}

/** Leases whose next round answers are set by the test; each round goes through the step like ShardLeases. */
class FakeLeases implements RoundLeases {
  readonly owned = new Set<number>();
  rounds = 0;
  readonly released: number[] = [];
  next: () => Promise<{ claim: number[]; release: number[] }> = () =>
    Promise.resolve({ claim: [], release: [] });

  /** The next round claims `shard` (and this detector then owns it). */
  claimNext(shard: number): void {
    this.next = () => {
      this.owned.add(shard);
      return Promise.resolve({ claim: [shard], release: [] });
    };
  }

  round(step: Step): Promise<{ claim: number[]; release: number[] }> {
    this.rounds++;
    return step.run('renew leases', undefined, () => this.next());
  }

  async release(shards: readonly number[], step: Step): Promise<void> {
    for (const s of shards) {
      this.owned.delete(s);
      await step.run('release lease', s, () => Promise.resolve(this.released.push(s)));
    }
  }
}

/** Lease rounds over the fakes, as ClusterNode runs them. */
function roundsOf(leases: FakeLeases, consumer: FlowConsumer, log: ReturnType<typeof logSink>): LeaseRounds {
  return new LeaseRounds(
    (step) => rebalanceRound(leases, consumer, step).then(() => undefined),
    LIMIT_MS,
    log,
  );
}

interface FakeLoop {
  shard: number;
  stopped: boolean;
  stop(): Promise<void>;
}

/** A FlowConsumer over fake JetStream loops: each open waits for the test's answer when `hold` says so. */
function consumerWith(hold: (shard: number) => Promise<void> | undefined): {
  consumer: FlowConsumer;
  loops: FakeLoop[];
} {
  const loops: FakeLoop[] = [];
  const open: OpenLoop = async (shard) => {
    await hold(shard);
    const loop: FakeLoop = {
      shard,
      stopped: false,
      stop: () => {
        loop.stopped = true;
        return Promise.resolve();
      },
    };
    loops.push(loop);
    return loop;
  };
  const consumer = new FlowConsumer({} as Link, {} as ClusterConfig, () => undefined, 1000, open);
  return { consumer, loops };
}

describe('shard lease rounds', () => {
  it('a round whose step hangs is abandoned at its limit, named in a warning, and the next rounds run', async () => {
    const leases = new FakeLeases();
    const hung = deferred<{ claim: number[]; release: number[] }>();
    leases.next = () => hung.promise; // the first round's database call never answers
    const log = logSink();
    const { consumer } = consumerWith(() => undefined);
    const rounds = roundsOf(leases, consumer, log);
    const first = rounds.tick();
    expect(rounds.tick()).toBe(first); // never two rounds at once: a tick during a round joins it
    await first;
    expect(rounds.stats).toMatchObject({ roundsTimedOut: 1, roundsFailed: 0 });
    expect(rounds.stats.lastTimeout).toEqual({ step: 'renew leases', shard: null });
    expect(log.lines).toEqual([
      {
        obj: { step: 'renew leases', shard: null, limitMs: LIMIT_MS },
        msg: 'cluster: shard lease round timed out',
      },
    ]);

    // the later rounds are not blocked by the call that still hangs: they claim and start shard 3
    leases.claimNext(3);
    await waitFor('a later round to start shard 3', async () => {
      await rounds.tick();
      return consumer.stats.shards.includes(3);
    });
    expect(leases.rounds).toBeGreaterThanOrEqual(2);
    expect(rounds.stats.roundsTimedOut).toBe(1);
    // the hung call answering at last changes nothing: its round was abandoned
    hung.resolve({ claim: [], release: [3] });
    leases.next = () => Promise.resolve({ claim: [], release: [] });
    await rounds.tick();
    expect(consumer.stats.shards).toEqual([3]);
    expect(leases.released).toEqual([]);
  });

  it('a consumer start that finishes after a later round gave its shard up closes at once; the lease is released only then', async () => {
    const leases = new FakeLeases();
    const opening = deferred<void>();
    const { consumer, loops } = consumerWith((s) =>
      s === 5 && loops.length === 0 ? opening.promise : undefined,
    );
    const log = logSink();
    const rounds = roundsOf(leases, consumer, log);

    leases.claimNext(5);
    await rounds.tick();
    expect(rounds.stats.lastTimeout).toEqual({ step: 'start consumer', shard: 5 });
    expect(consumer.stats.shards).toEqual([]);

    // a newcomer joined: this detector must give shard 5 up, but its consumer is still opening
    leases.next = () => Promise.resolve({ claim: [], release: [5] });
    await rounds.tick();
    expect(rounds.stats.lastTimeout).toEqual({ step: 'stop consumer', shard: 5 });
    expect(rounds.stats.roundsTimedOut).toBe(2);
    expect(leases.released).toEqual([]); // not released while a loop of it may still come up

    opening.resolve(); // the first round's start finishes now, long after its round was abandoned
    await waitFor('the late loop closed and the lease released', async () => {
      await rounds.tick();
      return leases.released.includes(5) ? true : undefined;
    });
    expect(loops).toHaveLength(1);
    expect(loops[0]).toMatchObject({ shard: 5, stopped: true });
    expect(consumer.stats.shards).toEqual([]);
    expect(leases.released).toEqual([5]);
    expect(log.lines.every((l) => l.msg === 'cluster: shard lease round timed out')).toBe(true);
  });

  it('a failed consumer start is retried by the next round although the lease did not change', async () => {
    const leases = new FakeLeases();
    let fails = 1;
    const { consumer } = consumerWith((s) => {
      if (s === 2 && fails-- > 0) return Promise.reject(new Error('JetStream: timeout'));
      return undefined;
    });
    const log = logSink();
    const rounds = roundsOf(leases, consumer, log);
    leases.claimNext(2);
    await rounds.tick();
    expect(rounds.stats).toMatchObject({ roundsFailed: 1, roundsTimedOut: 0 });
    expect(log.lines).toEqual([
      { obj: { err: 'JetStream: timeout' }, msg: 'cluster: shard lease round failed' },
    ]);
    expect(consumer.stats.shards).toEqual([]);
    // the lease is held and renewed (nothing to claim any more): the round starts the missing consumer
    leases.next = () => Promise.resolve({ claim: [], release: [] });
    await rounds.tick();
    expect(consumer.stats.shards).toEqual([2]);
    expect(rounds.stats.roundsFailed).toBe(1);
  });

  it('consumers of shards no longer owned are stopped, whatever round left them running', async () => {
    const leases = new FakeLeases();
    const { consumer, loops } = consumerWith(() => undefined);
    await consumer.start(4);
    await consumer.start(6);
    leases.owned.add(6);
    const change = await rebalanceRound(leases, consumer, {
      run: (_n, _s, fn) => fn(),
    });
    expect(change).toEqual({ claimed: [], released: [], started: [], stopped: [4] });
    expect(consumer.stats.shards).toEqual([6]);
    expect(loops.map((l) => [l.shard, l.stopped])).toEqual([
      [4, true],
      [6, false],
    ]);
  });
});
