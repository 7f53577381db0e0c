// What the SQL stores (SQLite, PostgreSQL) hand out: the core's store port plus notify's repositories.
import type { Store } from '../domain/store-port.js';
import type { NotifyRepositories } from '../notify/ports.js';

export type SqlStore = Store & NotifyRepositories;
