// The BGP session state machine of RFC 4271 §8 as a pure function: step(state, event, now) returns the
// next state and the effects a runner (session.ts) performs. Timers are events; the connect-retry delay
// grows exponentially with injected jitter. Transitions are checked against an explicit table.
import type { BgpError } from './codec/errors.js';
import { ErrorCode, FsmSubcode } from './codec/errors.js';
import type { NotificationMessage } from './codec/notification.js';
import { validateOpen, type OpenMessage } from './codec/open.js';

export const SESSION_STATES = [
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** RFC 4271 §8.2.2 table, reduced to the edges this implementation takes. */
export const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  Idle: ['Idle', 'Connect', 'Active'],
  Connect: ['Idle', 'Connect', 'Active', 'OpenSent'],
  Active: ['Idle', 'Connect', 'Active', 'OpenSent'],
  OpenSent: ['Idle', 'Active', 'OpenSent', 'OpenConfirm'],
  OpenConfirm: ['Idle', 'OpenConfirm', 'Established'],
  Established: ['Idle', 'Established'],
};

export type TimerName = 'connect-retry' | 'hold' | 'keepalive';

export type FsmEvent =
  | { readonly type: 'start' }
  | { readonly type: 'stop'; readonly reason: string; readonly notification?: Uint8Array }
  | { readonly type: 'timer'; readonly timer: TimerName }
  | { readonly type: 'tcp-connected' }
  | { readonly type: 'tcp-failed'; readonly reason: string }
  | { readonly type: 'open-received'; readonly open: OpenMessage }
  | { readonly type: 'keepalive-received' }
  | { readonly type: 'update-received' }
  | { readonly type: 'route-refresh-received' }
  | { readonly type: 'notification-received'; readonly notification: NotificationMessage }
  | { readonly type: 'message-error'; readonly error: BgpError };

export type FsmEffect =
  | { readonly type: 'connect' }
  | { readonly type: 'close' }
  | { readonly type: 'send-open' }
  | { readonly type: 'send-keepalive' }
  | {
      readonly type: 'send-notification';
      readonly code: number;
      readonly subcode: number;
      readonly data?: Uint8Array;
    }
  /** A pre-encoded NOTIFICATION (e.g. Cease with a shutdown communication). */
  | { readonly type: 'send-raw'; readonly bytes: Uint8Array }
  | { readonly type: 'set-timer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'clear-timer'; readonly timer: TimerName }
  | { readonly type: 'established'; readonly open: OpenMessage; readonly holdTime: number }
  | { readonly type: 'down'; readonly reason: string };

export interface FsmConfig {
  readonly passive: boolean;
  /** Our proposed hold time in seconds (0 or ≥ 3). */
  readonly holdTime: number;
  readonly remoteAs: number;
  readonly localBgpId: string;
  /** Base connect-retry / restart delay in ms; doubles per consecutive failure up to maxRetryMs. */
  readonly connectRetryMs: number;
  readonly maxRetryMs: number;
  /** Injected randomness in [0, 1) for jitter. */
  readonly random: () => number;
}

export interface FsmState {
  readonly state: SessionState;
  readonly config: FsmConfig;
  /** Consecutive failures, drives the backoff (reset when Established). */
  readonly failures: number;
  /** ManualStop was requested: no automatic restart. */
  readonly stopped: boolean;
  readonly holdTime: number;
  readonly peerOpen?: OpenMessage;
  readonly lastError?: string;
  readonly since: number;
}

export interface StepResult {
  readonly state: FsmState;
  readonly effects: readonly FsmEffect[];
}

/** RFC 4271 §8 suggests a large hold timer (4 minutes) while waiting for the peer's OPEN. */
export const OPEN_HOLD_MS = 240_000;

export function initialState(config: FsmConfig, now: number): FsmState {
  return { state: 'Idle', config, failures: 0, stopped: true, holdTime: config.holdTime, since: now };
}

/** Exponential backoff with ±25% jitter (RFC 4271 §8.1.1 leaves the policy to the implementation). */
export function retryDelay(config: FsmConfig, failures: number): number {
  const exp = Math.min(config.maxRetryMs, config.connectRetryMs * 2 ** Math.min(failures, 16));
  return Math.round(exp * (0.75 + 0.5 * config.random()));
}

const ALL_TIMERS: readonly TimerName[] = ['connect-retry', 'hold', 'keepalive'];

function go(s: FsmState, to: SessionState, now: number, patch: Partial<FsmState> = {}): FsmState {
  if (!TRANSITIONS[s.state].includes(to)) {
    // A missing edge is a programming error in this table, never input-driven.
    throw new Error(`BGP FSM: illegal transition ${s.state} -> ${to}`);
  }
  return { ...s, ...patch, state: to, since: to === s.state ? s.since : now };
}

/** Drop to Idle after an error: close, stop timers, report down, schedule the automatic restart. */
function fail(s: FsmState, now: number, reason: string, pre: FsmEffect[] = []): StepResult {
  const effects: FsmEffect[] = [
    ...pre,
    { type: 'close' },
    ...ALL_TIMERS.map((timer) => ({ type: 'clear-timer', timer }) as const),
  ];
  if (s.state === 'Established') effects.push({ type: 'down', reason });
  const failures = s.failures + 1;
  if (!s.stopped)
    effects.push({ type: 'set-timer', timer: 'connect-retry', ms: retryDelay(s.config, s.failures) });
  const next: FsmState = { ...go(s, 'Idle', now, { failures, lastError: reason }) };
  delete (next as { peerOpen?: OpenMessage }).peerOpen;
  return { state: next, effects };
}

function startFromIdle(s: FsmState, now: number): StepResult {
  if (s.config.passive) {
    return { state: go(s, 'Active', now, { stopped: false }), effects: [] };
  }
  return {
    state: go(s, 'Connect', now, { stopped: false }),
    effects: [
      { type: 'connect' },
      { type: 'set-timer', timer: 'connect-retry', ms: retryDelay(s.config, s.failures) },
    ],
  };
}

const FSM_SUBCODE: Readonly<Partial<Record<SessionState, number>>> = {
  OpenSent: FsmSubcode.OPENSENT,
  OpenConfirm: FsmSubcode.OPENCONFIRM,
  Established: FsmSubcode.ESTABLISHED,
};

/** RFC 6608: a message that is not allowed in this state. */
function fsmError(s: FsmState, now: number, what: string): StepResult {
  return fail(s, now, `unexpected ${what} in ${s.state}`, [
    {
      type: 'send-notification',
      code: ErrorCode.FSM,
      subcode: FSM_SUBCODE[s.state] ?? FsmSubcode.UNSPECIFIED,
    },
  ]);
}

export function step(s: FsmState, e: FsmEvent, now: number): StepResult {
  // Events valid in every state.
  if (e.type === 'stop') {
    const stopped = { ...s, stopped: true };
    const pre: FsmEffect[] =
      s.state === 'OpenSent' || s.state === 'OpenConfirm' || s.state === 'Established'
        ? [
            e.notification
              ? { type: 'send-raw', bytes: e.notification }
              : { type: 'send-notification', code: ErrorCode.CEASE, subcode: 2 },
          ]
        : [];
    const r = fail(stopped, now, e.reason, pre);
    return { state: { ...r.state, failures: s.failures }, effects: r.effects };
  }

  switch (s.state) {
    case 'Idle':
      if (e.type === 'start') return startFromIdle(s, now);
      if (e.type === 'timer' && e.timer === 'connect-retry' && !s.stopped) return startFromIdle(s, now);
      return { state: s, effects: [] }; // RFC 4271 §8.2.2: Idle ignores everything else

    case 'Connect':
    case 'Active':
      switch (e.type) {
        case 'start':
          return { state: s, effects: [] };
        case 'tcp-connected':
          return {
            state: go(s, 'OpenSent', now),
            effects: [
              { type: 'clear-timer', timer: 'connect-retry' },
              { type: 'send-open' },
              { type: 'set-timer', timer: 'hold', ms: OPEN_HOLD_MS },
            ],
          };
        case 'tcp-failed':
          // Outbound attempt failed: wait in Active for the retry timer (or an inbound connection).
          return {
            state: go(s, 'Active', now, { failures: s.failures + 1, lastError: e.reason }),
            effects: [],
          };
        case 'timer':
          if (e.timer === 'connect-retry') {
            if (s.config.passive) return { state: s, effects: [] };
            return {
              state: go(s, 'Connect', now),
              effects: [
                { type: 'close' },
                { type: 'connect' },
                { type: 'set-timer', timer: 'connect-retry', ms: retryDelay(s.config, s.failures) },
              ],
            };
          }
          return { state: s, effects: [] };
        default:
          return fail(s, now, `unexpected ${e.type} in ${s.state}`);
      }

    case 'OpenSent':
      switch (e.type) {
        case 'open-received': {
          const v = validateOpen(e.open, { remoteAs: s.config.remoteAs, localBgpId: s.config.localBgpId });
          if (!v.ok) {
            return fail(s, now, v.message, [
              { type: 'send-notification', code: v.code, subcode: v.subcode, data: v.data },
            ]);
          }
          // RFC 4271 §4.2: the smaller hold time; 0 means no keepalives at all.
          const hold = Math.min(s.config.holdTime, e.open.holdTime);
          const effects: FsmEffect[] = [{ type: 'send-keepalive' }];
          if (hold > 0) {
            effects.push({ type: 'set-timer', timer: 'keepalive', ms: Math.floor((hold * 1000) / 3) });
            effects.push({ type: 'set-timer', timer: 'hold', ms: hold * 1000 });
          } else effects.push({ type: 'clear-timer', timer: 'hold' });
          return { state: go(s, 'OpenConfirm', now, { holdTime: hold, peerOpen: e.open }), effects };
        }
        case 'tcp-failed':
          return fail(s, now, e.reason);
        case 'timer':
          if (e.timer === 'hold') {
            return fail(s, now, 'hold timer expired in OpenSent', [
              { type: 'send-notification', code: ErrorCode.HOLD_TIMER_EXPIRED, subcode: 0 },
            ]);
          }
          return { state: s, effects: [] };
        case 'notification-received':
          return fail(s, now, `peer sent NOTIFICATION ${e.notification.code}/${e.notification.subcode}`);
        case 'message-error':
          return fail(s, now, e.error.message, [
            { type: 'send-notification', code: e.error.code, subcode: e.error.subcode, data: e.error.data },
          ]);
        case 'start':
        case 'tcp-connected':
          return { state: s, effects: [] };
        default:
          return fsmError(s, now, e.type);
      }

    case 'OpenConfirm':
      switch (e.type) {
        case 'keepalive-received': {
          const effects: FsmEffect[] = [];
          if (s.holdTime > 0) effects.push({ type: 'set-timer', timer: 'hold', ms: s.holdTime * 1000 });
          const open = s.peerOpen;
          if (!open) return fail(s, now, 'OpenConfirm without peer OPEN');
          effects.push({ type: 'established', open, holdTime: s.holdTime });
          return { state: go(s, 'Established', now, { failures: 0 }), effects };
        }
        case 'timer':
          return timerInSession(s, e.timer, now);
        case 'tcp-failed':
          return fail(s, now, e.reason);
        case 'notification-received':
          return fail(s, now, `peer sent NOTIFICATION ${e.notification.code}/${e.notification.subcode}`);
        case 'message-error':
          return fail(s, now, e.error.message, [
            { type: 'send-notification', code: e.error.code, subcode: e.error.subcode, data: e.error.data },
          ]);
        case 'start':
        case 'tcp-connected':
          return { state: s, effects: [] };
        default:
          return fsmError(s, now, e.type);
      }

    case 'Established':
      switch (e.type) {
        case 'keepalive-received':
        case 'update-received':
        case 'route-refresh-received':
          return {
            state: s,
            effects: s.holdTime > 0 ? [{ type: 'set-timer', timer: 'hold', ms: s.holdTime * 1000 }] : [],
          };
        case 'timer':
          return timerInSession(s, e.timer, now);
        case 'tcp-failed':
          return fail(s, now, e.reason);
        case 'notification-received':
          return fail(s, now, `peer sent NOTIFICATION ${e.notification.code}/${e.notification.subcode}`);
        case 'message-error':
          return fail(s, now, e.error.message, [
            { type: 'send-notification', code: e.error.code, subcode: e.error.subcode, data: e.error.data },
          ]);
        case 'start':
        case 'tcp-connected':
          return { state: s, effects: [] };
        default:
          return fsmError(s, now, e.type);
      }
  }
}

function timerInSession(s: FsmState, timer: TimerName, now: number): StepResult {
  if (timer === 'hold') {
    return fail(s, now, 'hold timer expired', [
      { type: 'send-notification', code: ErrorCode.HOLD_TIMER_EXPIRED, subcode: 0 },
    ]);
  }
  if (timer === 'keepalive' && s.holdTime > 0) {
    return {
      state: s,
      effects: [
        { type: 'send-keepalive' },
        { type: 'set-timer', timer: 'keepalive', ms: Math.floor((s.holdTime * 1000) / 3) },
      ],
    };
  }
  return { state: s, effects: [] };
}

/**
 * RFC 4271 §6.8 connection collision: keep the connection opened by the speaker with the higher BGP
 * Identifier. Returns which connection survives.
 */
export function resolveCollision(
  localBgpId: string,
  remoteBgpId: string,
  existingIsOutbound: boolean,
): 'existing' | 'incoming' {
  const n = (ip: string): number => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const localWins = n(localBgpId) > n(remoteBgpId);
  // The outbound connection is "ours": it survives when our identifier is higher.
  const keepOutbound = localWins;
  return existingIsOutbound === keepOutbound ? 'existing' : 'incoming';
}
