// The router side of an RTR session as a pure state machine (RFC 8210 §8 sequences, §7 version
// negotiation, §5.1 session ids, §11–12 error handling). step(state, input) returns the next state
// and the effects a runner performs (send a PDU, close the connection, publish a new VRP set).
import { type Vrp, vrpKey } from '../vrp.js';
import {
  type EndOfDataTimers,
  type RtrPdu,
  type RtrVersion,
  RTR_ERROR,
  RTR_ERROR_NAME,
  type RtrErrorCode,
} from './pdu.js';

export type RtrPhase = 'disconnected' | 'awaiting-response' | 'receiving' | 'synced';

/** RFC 8210 §6 defaults until the cache says otherwise (version 0 never does). */
export const DEFAULT_TIMERS: EndOfDataTimers = { refresh: 3600, retry: 600, expire: 7200 };

export interface RtrState {
  readonly version: RtrVersion;
  readonly phase: RtrPhase;
  readonly sessionId?: number;
  readonly serial?: number;
  /** The last complete VRP set from this cache (kept across reconnects until expiry). */
  readonly vrps: ReadonlyMap<string, Vrp>;
  /** The transaction in flight: a full set after Reset Query, changes after Serial Query. */
  // The changes map is written in place while PDUs stream in: a full table is ~800 k Prefix PDUs, and
  // copying the map per PDU would be quadratic. It belongs to this one transaction only.
  readonly pending?: {
    readonly reset: boolean;
    readonly changes: Map<string, { announce: boolean; vrp: Vrp }>;
  };
  readonly lastQuery?: 'reset' | 'serial';
  readonly timers: EndOfDataTimers;
}

export type RtrInput =
  | { readonly type: 'connected' }
  | { readonly type: 'closed' }
  | { readonly type: 'pdu'; readonly pdu: RtrPdu }
  | { readonly type: 'refresh' }
  /** The runner could not decode a PDU: report it and end the session (RFC 8210 §12). */
  | {
      readonly type: 'decode-error';
      readonly code: RtrErrorCode;
      readonly message: string;
      readonly pdu: Uint8Array;
    }
  /** No successful refresh within the expire interval: the data may no longer be used (§6). */
  | { readonly type: 'expired' };

export type RtrEffect =
  | { readonly type: 'send'; readonly pdu: RtrPdu }
  | { readonly type: 'close'; readonly reason: string }
  /** A complete VRP set is in force (after End of Data), with the cache's serial and timers. */
  | {
      readonly type: 'synced';
      readonly serial: number;
      readonly announced: number;
      readonly withdrawn: number;
    }
  /** Reconnect using this protocol version (downgrade per RFC 8210 §7). */
  | { readonly type: 'downgrade'; readonly version: RtrVersion }
  | { readonly type: 'flushed'; readonly reason: string }
  | { readonly type: 'cache-error'; readonly code: number; readonly text: string };

export interface RtrStep {
  readonly state: RtrState;
  readonly effects: readonly RtrEffect[];
}

export function initialRtrState(version: RtrVersion = 1): RtrState {
  return { version, phase: 'disconnected', vrps: new Map(), timers: DEFAULT_TIMERS };
}

function errorReport(
  state: RtrState,
  code: RtrErrorCode,
  text: string,
  pdu: Uint8Array = new Uint8Array(),
): RtrEffect {
  return { type: 'send', pdu: { type: 'error-report', version: state.version, code, pdu, text } };
}

/** Ends the session after a protocol error: the next connection starts with a Reset Query. */
function fatal(state: RtrState, code: RtrErrorCode, text: string, pdu?: Uint8Array): RtrStep {
  const { sessionId: _s, serial: _n, pending: _p, ...rest } = state;
  return {
    state: { ...rest, phase: 'disconnected' },
    effects: [
      errorReport(state, code, text, pdu),
      { type: 'close', reason: `${RTR_ERROR_NAME[code]}: ${text}` },
    ],
  };
}

function query(state: RtrState): RtrStep {
  if (state.sessionId !== undefined && state.serial !== undefined) {
    return {
      state: { ...state, phase: 'awaiting-response', lastQuery: 'serial' },
      effects: [
        {
          type: 'send',
          pdu: {
            type: 'serial-query',
            version: state.version,
            sessionId: state.sessionId,
            serial: state.serial,
          },
        },
      ],
    };
  }
  return {
    state: { ...state, phase: 'awaiting-response', lastQuery: 'reset' },
    effects: [{ type: 'send', pdu: { type: 'reset-query', version: state.version } }],
  };
}

export function rtrStep(state: RtrState, input: RtrInput): RtrStep {
  switch (input.type) {
    case 'connected':
      return query({ ...state, phase: 'awaiting-response' });
    case 'closed': {
      const { pending: _p, ...rest } = state;
      return { state: { ...rest, phase: 'disconnected' }, effects: [] };
    }
    case 'refresh':
      // a query while a transaction is open would interleave two answers: wait for End of Data
      return state.phase === 'synced' ? query(state) : { state, effects: [] };
    case 'expired': {
      const { sessionId: _s, serial: _n, pending: _p, ...rest } = state;
      return {
        state: { ...rest, vrps: new Map() },
        effects: [
          {
            type: 'flushed',
            reason: `no successful refresh within ${state.timers.expire} s (expire interval)`,
          },
        ],
      };
    }
    case 'decode-error':
      return fatal(state, input.code, input.message, input.pdu);
    case 'pdu':
      return onPdu(state, input.pdu);
  }
}

function onPdu(state: RtrState, pdu: RtrPdu): RtrStep {
  if (pdu.type === 'error-report') return onErrorReport(state, pdu);
  if (pdu.type === 'cache-response' && pdu.version < state.version && state.phase === 'awaiting-response') {
    // §7: a cache that speaks only an older version may answer our first query in that version;
    // the rest of the session uses it
    return onPdu({ ...state, version: pdu.version as RtrVersion }, pdu);
  }
  if (pdu.version !== state.version) {
    // §7: once a version is in use every PDU must carry it
    return fatal(
      state,
      RTR_ERROR.unexpectedVersion,
      `PDU of version ${pdu.version} in a version ${state.version} session`,
    );
  }
  switch (pdu.type) {
    case 'serial-notify':
      if (state.phase !== 'synced') return { state, effects: [] }; // we will catch up after this transaction
      if (state.sessionId !== undefined && pdu.sessionId !== state.sessionId)
        return fatal(
          state,
          RTR_ERROR.corruptData,
          `Serial Notify for session ${pdu.sessionId}, ours is ${state.sessionId}`,
        );
      return pdu.serial === state.serial ? { state, effects: [] } : query(state);
    case 'cache-response': {
      if (state.phase !== 'awaiting-response')
        return fatal(state, RTR_ERROR.invalidRequest, 'Cache Response without a query');
      const reset = state.lastQuery !== 'serial';
      if (!reset && pdu.sessionId !== state.sessionId)
        return fatal(
          state,
          RTR_ERROR.corruptData,
          `Cache Response for session ${pdu.sessionId}, ours is ${state.sessionId}`,
        );
      return {
        state: {
          ...state,
          phase: 'receiving',
          sessionId: pdu.sessionId,
          pending: { reset, changes: new Map() },
        },
        effects: [],
      };
    }
    case 'prefix':
      return onPrefix(state, pdu.announce, pdu.vrp);
    case 'router-key':
      return state.phase === 'receiving'
        ? { state, effects: [] }
        : fatal(state, RTR_ERROR.invalidRequest, 'Router Key outside a response');
    case 'end-of-data':
      return onEndOfData(state, pdu.sessionId, pdu.serial, pdu.timers);
    case 'cache-reset': {
      // §8.3: the cache cannot answer our Serial Query incrementally: start over with a Reset Query
      const { sessionId: _s, serial: _n, pending: _p, ...rest } = state;
      return query({ ...rest, phase: 'awaiting-response' });
    }
    case 'serial-query':
    case 'reset-query':
      return fatal(state, RTR_ERROR.invalidRequest, `a cache sent a ${pdu.type}`);
  }
}

function onPrefix(state: RtrState, announce: boolean, vrp: Vrp): RtrStep {
  if (state.phase !== 'receiving' || !state.pending)
    return fatal(state, RTR_ERROR.invalidRequest, 'Prefix PDU outside a Cache Response');
  const key = vrpKey(vrp);
  const changes = state.pending.changes;
  const prior = changes.get(key);
  // what the set holds at this point of the transaction
  const present = prior ? prior.announce : !state.pending.reset && state.vrps.has(key);
  if (announce && present) return fatal(state, RTR_ERROR.duplicateAnnouncement, `${key} announced twice`);
  if (!announce && !present)
    return fatal(state, RTR_ERROR.withdrawalOfUnknownRecord, `${key} withdrawn but never announced`);
  changes.set(key, { announce, vrp });
  return { state, effects: [] };
}

function onEndOfData(
  state: RtrState,
  sessionId: number,
  serial: number,
  timers: EndOfDataTimers | undefined,
): RtrStep {
  if (state.phase !== 'receiving' || !state.pending)
    return fatal(state, RTR_ERROR.invalidRequest, 'End of Data outside a Cache Response');
  if (sessionId !== state.sessionId)
    return fatal(
      state,
      RTR_ERROR.corruptData,
      `End of Data for session ${sessionId}, ours is ${state.sessionId}`,
    );
  const vrps = new Map(state.pending.reset ? [] : state.vrps);
  let announced = 0;
  let withdrawn = 0;
  for (const [key, c] of state.pending.changes) {
    if (c.announce) {
      vrps.set(key, c.vrp);
      announced++;
    } else {
      vrps.delete(key);
      withdrawn++;
    }
  }
  const { pending: _p, ...rest } = state;
  return {
    state: { ...rest, phase: 'synced', serial, vrps, timers: timers ?? state.timers },
    effects: [{ type: 'synced', serial, announced, withdrawn }],
  };
}

function onErrorReport(state: RtrState, pdu: Extract<RtrPdu, { type: 'error-report' }>): RtrStep {
  const report: RtrEffect = { type: 'cache-error', code: pdu.code, text: pdu.text };
  // §7: a cache that speaks only an older version says so; try again in its version
  if (pdu.code === RTR_ERROR.unsupportedVersion && pdu.version < state.version) {
    const version = pdu.version as RtrVersion;
    return {
      state: { ...initialRtrState(version), vrps: state.vrps },
      effects: [
        report,
        { type: 'downgrade', version },
        { type: 'close', reason: `cache speaks RTR version ${version}` },
      ],
    };
  }
  // §12: an Error Report ends the session (No Data Available included: the cache is not ready yet);
  // our data stays usable until it expires
  const { pending: _p, ...rest } = state;
  return {
    state: { ...rest, phase: 'disconnected' },
    effects: [
      report,
      {
        type: 'close',
        reason: `cache reported ${RTR_ERROR_NAME[pdu.code] ?? `error ${pdu.code}`}: ${pdu.text}`,
      },
    ],
  };
}
