// Opens the store the config names. Each driver module (better-sqlite3 for sqlite, pg for postgres) is
// imported only when that driver is configured: an idle SQLite process does not carry pg (docs/performance.md
// "Memory").
import type { Config } from '../config/schema.js';
import type { openPostgresStore } from './postgres.js';
import type { SqlStore } from './sql-store.js';
import type { openSqliteStore } from './sqlite.js';

/** Loads one driver's module; injectable so a test can see which driver a config loads. */
export interface StoreDrivers {
  sqlite(): Promise<{ openSqliteStore: typeof openSqliteStore }>;
  postgres(): Promise<{ openPostgresStore: typeof openPostgresStore }>;
}

export const STORE_DRIVERS: StoreDrivers = {
  sqlite: () => import('./sqlite.js'),
  postgres: () => import('./postgres.js'),
};

/** The npm package behind each driver, named when it cannot be loaded. */
const PACKAGE: Record<keyof StoreDrivers, string> = { sqlite: 'better-sqlite3', postgres: 'pg' };

async function load<K extends keyof StoreDrivers>(
  drivers: StoreDrivers,
  driver: K,
): Promise<Awaited<ReturnType<StoreDrivers[K]>>> {
  try {
    return (await drivers[driver]()) as Awaited<ReturnType<StoreDrivers[K]>>;
  } catch (err) {
    throw new Error(
      `store.driver ${driver}: could not load its driver (npm package "${PACKAGE[driver]}"): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

export async function openStore(
  config: Config['store'],
  onBackgroundError?: (err: Error) => void,
  drivers: StoreDrivers = STORE_DRIVERS,
): Promise<SqlStore> {
  if (config.driver === 'postgres') {
    if (!config.postgresUrl)
      throw new Error(
        'store.driver is postgres but store.postgresUrl (or FLOODGATE_POSTGRES_URL) is not set',
      );
    const postgres = await load(drivers, 'postgres');
    return postgres.openPostgresStore(config.postgresUrl, Date.now(), onBackgroundError);
  }
  const sqlite = await load(drivers, 'sqlite');
  return sqlite.openSqliteStore(config.sqlitePath);
}
