// openStore imports a driver's module only when the config names that driver (docs/performance.md
// "Memory"), and names the npm package when a configured driver cannot be loaded.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { openStore, STORE_DRIVERS, type StoreDrivers } from './open.js';

function recording(fail?: keyof StoreDrivers): { drivers: StoreDrivers; loaded: string[] } {
  const loaded: string[] = [];
  const drivers: StoreDrivers = {
    sqlite: () => {
      loaded.push('sqlite');
      return fail === 'sqlite' ? Promise.reject(new Error('cannot find module')) : STORE_DRIVERS.sqlite();
    },
    postgres: () => {
      loaded.push('postgres');
      return fail === 'postgres' ? Promise.reject(new Error('cannot find module')) : STORE_DRIVERS.postgres();
    },
  };
  return { drivers, loaded };
}

describe('openStore', () => {
  it('loads only the SQLite driver on the default config', async () => {
    const { drivers, loaded } = recording();
    const store = await openStore(
      { ...configSchema.parse({}).store, sqlitePath: ':memory:' },
      undefined,
      drivers,
    );
    await store.close();
    expect(loaded).toEqual(['sqlite']);
  });

  it('names the package of a postgres driver that cannot be loaded, and never loads SQLite for it', async () => {
    const { drivers, loaded } = recording('postgres');
    const cfg = configSchema.parse({
      store: { driver: 'postgres', postgresUrl: 'postgres://127.0.93.1/none' },
    }).store;
    await expect(openStore(cfg, undefined, drivers)).rejects.toThrow(
      /store\.driver postgres: could not load its driver \(npm package "pg"\): cannot find module/,
    );
    expect(loaded).toEqual(['postgres']);
  });

  it('refuses postgres without a URL before loading anything', async () => {
    const { drivers, loaded } = recording();
    const cfg = configSchema.parse({ store: { driver: 'postgres' } }).store;
    await expect(openStore(cfg, undefined, drivers)).rejects.toThrow(/postgresUrl/);
    expect(loaded).toEqual([]);
  });
});
