// Opens the store the config names.
import type { Config } from '../config/schema.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { SqlStore } from './sql-store.js';

export async function openStore(
  config: Config['store'],
  onBackgroundError?: (err: Error) => void,
): Promise<SqlStore> {
  if (config.driver === 'postgres') {
    if (!config.postgresUrl)
      throw new Error(
        'store.driver is postgres but store.postgresUrl (or FLOODGATE_POSTGRES_URL) is not set',
      );
    return openPostgresStore(config.postgresUrl, Date.now(), onBackgroundError);
  }
  return openSqliteStore(config.sqlitePath);
}
