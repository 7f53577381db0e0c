// Structured JSON logs (pino) on stdout.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'floodgate'): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
