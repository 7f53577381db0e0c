// AdapterHealth built from BGP session states: up when every session is Established, degraded when
// some are, down when none is or the daemon cannot be reached.
import type { AdapterHealth } from '../../domain/adapter-port.js';

export function sessionsHealth(sessions: Record<string, string>, now: number, what: string): AdapterHealth {
  const states = Object.values(sessions);
  const up = states.filter((s) => s.toLowerCase() === 'established').length;
  if (states.length === 0)
    return { status: 'down', detail: `${what}: no BGP session configured`, sessions, checkedAt: now };
  const status = up === states.length ? 'up' : up > 0 ? 'degraded' : 'down';
  return {
    status,
    detail: `${what}: ${up}/${states.length} BGP sessions established`,
    sessions,
    checkedAt: now,
  };
}

export function downHealth(detail: string, now: number): AdapterHealth {
  return { status: 'down', detail, checkedAt: now };
}

export const UNKNOWN_HEALTH: AdapterHealth = { status: 'down', detail: 'not checked yet', checkedAt: 0 };
