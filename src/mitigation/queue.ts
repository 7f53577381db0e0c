// Queue stage: deployments wait here, per tenant and in order, until the rate window and the cap let
// them through. A newer decision for the same target replaces the queued one in place (the latest
// decision is what the target needs; its place in line is kept); nothing else ever leaves the queue
// except by deployment, by its TTL running out, or by a manual withdraw — each with a decision.
import type { Rule } from '../domain/rule.js';
import type { DecisionAction } from './types.js';

export interface QueueItem {
  /** Target key for auto rules, "manual:<id>" for manual ones. */
  readonly key: string;
  readonly tenant: string;
  readonly rule: Rule;
  /** Active rule this deployment replaces (escalation, de-escalation, rollback, reload conversion). */
  readonly previous?: Rule;
  readonly action: DecisionAction;
  readonly actor: string;
  readonly reason: string;
  readonly confidence?: number;
  readonly enqueuedAt: number;
  /** A 'queue' decision was already recorded for this item. */
  queuedNoticed: boolean;
  /** Goes before ordinary items (rollbacks, reload conversions: they reduce harm). */
  readonly priority: boolean;
}

/** Adds `item`, replacing a queued item with the same key in its place. Returns the new queue. */
export function coalesce(queue: readonly QueueItem[], item: QueueItem): QueueItem[] {
  const i = queue.findIndex((q) => q.key === item.key);
  if (i >= 0) {
    const old = queue[i] as QueueItem;
    const merged: QueueItem = {
      ...item,
      ...(old.previous !== undefined && item.previous === undefined ? { previous: old.previous } : {}),
      queuedNoticed: old.queuedNoticed,
    };
    const next = queue.slice();
    if (item.priority && !old.priority) {
      next.splice(i, 1);
      return insertByPriority(next, merged);
    }
    next[i] = merged;
    return next;
  }
  return insertByPriority(queue.slice(), item);
}

function insertByPriority(queue: QueueItem[], item: QueueItem): QueueItem[] {
  if (!item.priority) {
    queue.push(item);
    return queue;
  }
  let i = 0;
  while (i < queue.length && (queue[i] as QueueItem).priority) i++;
  queue.splice(i, 0, item);
  return queue;
}
