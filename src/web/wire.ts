// What GET /api/v1/stream sends besides the event bus's own events (domain/events.ts): the
// per-second rate sample of the targets under attack. Shared by the server and the browser bundle.
import type { TrafficSample } from '../detect/detector.js';

export type RateSample = TrafficSample & { readonly attackId: string };

/** `event: rates`, once a second while a client is connected. */
export interface RatesEvent {
  readonly type: 'rates';
  readonly at: number;
  readonly samples: readonly RateSample[];
}
