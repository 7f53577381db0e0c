// The one bounded poll of the test suite: waits on a condition, never on a fixed sleep (BRIEF: tests
// must not be timing-sensitive). fn's value is the answer once it is neither undefined, null nor false;
// a throw counts as "not yet" and is reported if time runs out, except a GiveUp, which ends the wait at once.

/** Thrown by a condition that can no longer come true (the process it waits on has exited): no more polls. */
export class GiveUp extends Error {}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() >= end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
