// Rate-limit stage: a sliding window of deployment times per tenant. A deployment is admitted when fewer
// than `limit` deployments happened in (now − windowMs, now]; otherwise it waits in the queue until the
// oldest one leaves the window. Times are appended in clock order. The window belongs to the engine
// state and is updated in place (O(1) amortised per deployment, whatever the limit); dropping times
// that left the window or that can no longer matter never changes an answer.

export interface SlidingWindow {
  /** Deployment times, oldest first; entries before `head` are gone. */
  readonly times: number[];
  head: number;
}

export function newWindow(): SlidingWindow {
  return { times: [], head: 0 };
}

function prune(w: SlidingWindow, now: number, windowMs: number, limit: number): void {
  const t = w.times;
  let h = Math.max(w.head, t.length - limit); // only the newest `limit` times can ever matter
  while (h < t.length && (t[h] as number) <= now - windowMs) h++;
  if (h > 64 && h * 2 > t.length) {
    t.splice(0, h);
    h = 0;
  }
  w.head = h;
}

/** Deployments currently in the window. */
export function inWindow(w: SlidingWindow, now: number, windowMs: number, limit: number): number {
  prune(w, now, windowMs, limit);
  return w.times.length - w.head;
}

/** Whether one more deployment fits now. */
export function canDeploy(w: SlidingWindow, now: number, limit: number, windowMs: number): boolean {
  return inWindow(w, now, windowMs, limit) < limit;
}

/** Records a deployment at `now` (call only after canDeploy). */
export function recordDeployment(
  w: SlidingWindow,
  now: number,
  windowMs: number,
  limit: number,
): SlidingWindow {
  w.times.push(now);
  prune(w, now, windowMs, limit);
  return w;
}

/** Earliest time at which a deployment fits again (now when it already fits). */
export function nextSlot(w: SlidingWindow, now: number, limit: number, windowMs: number): number {
  if (inWindow(w, now, windowMs, limit) < limit) return now;
  return (w.times[w.times.length - limit] as number) + windowMs;
}
