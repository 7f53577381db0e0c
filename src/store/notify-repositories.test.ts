import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe } from 'vitest';
import { MemoryDeadLetters, MemoryIncidents } from '../notify/memory-repos.js';
import { notifyStoreContract } from './notify-contract.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from '../domain/store-port.js';

describe('SQLite incidents and dead letters', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  notifyStoreContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-notify-'));
    dirs.push(dir);
    return openSqliteStore(join(dir, 'f.db'));
  });
});

describe('in-memory incidents and dead letters (stores without SQL)', () => {
  notifyStoreContract(
    async () =>
      ({
        incidents: new MemoryIncidents(),
        deadLetters: new MemoryDeadLetters(),
        close: async () => undefined,
      }) as unknown as Store,
  );
});
