// Keyed mutual exclusion. In one process a promise chain per key; across processes (PostgreSQL)
// a session-level advisory lock held on a dedicated connection for the duration of fn.
import type { LockManager } from '../domain/store-port.js';

export class InProcessLocks implements LockManager {
  private readonly tails = new Map<string, Promise<unknown>>();

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous.catch(() => undefined);
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** 64-bit FNV-1a of the key, as a signed bigint for pg_advisory_lock(bigint). */
export function advisoryKey(key: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(key, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h);
}
