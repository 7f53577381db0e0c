// One engine process for the fencing test: takes part in the election (src/cluster/leadership.ts) and, on
// each stdin line "announce <ruleId>", announces through the fence (src/cluster/fence.ts) to an adapter
// that appends to a file — the file stands for the router: what reaches it was sent. Prints JSON lines.
// Run: node --import tsx test/cluster/fence-node.ts <postgres-url> <node-name> <router-file>
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Fence } from '../../src/cluster/fence.js';
import { Leadership } from '../../src/cluster/leadership.js';
import { sessionName, withApplicationName } from '../../src/cluster/pg-schema.js';
import type { Rule } from '../../src/domain/rule.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Database } from '../../src/store/schema.js';

const [url, node, routerFile] = process.argv.slice(2) as [string, string, string];
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
// the store's own tables (audit chain) first, as `floodgate run` opens the store before the cluster
await (await openPostgresStore(url)).close();
const session = sessionName(node, process.pid, Date.now());
const appUrl = withApplicationName(url, session);
const pool = new pg.Pool({ connectionString: appUrl, max: 4 });
pool.on('error', () => undefined); // a terminated idle session; the next checkout opens a fresh one
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
const log = {
  info: (o: object, m: string) => say({ level: 'info', msg: m, ...o }),
  warn: (o: object, m: string) => say({ level: 'warn', msg: m, ...o }),
  error: (o: object, m: string) => say({ level: 'error', msg: m, ...o }),
};
const leadership = new Leadership({
  url: appUrl,
  session,
  holder: node,
  leaseMs: Number(process.env.LEASE_MS ?? 1500),
  pollMs: Number(process.env.POLL_MS ?? 200),
  log,
  onElected: async (token) => {
    say({ event: 'elected', token });
  },
  onDeposed: (reason) => say({ event: 'deposed', reason }),
});
const walPool = new pg.Pool({ connectionString: appUrl, max: 2 });
walPool.on('error', () => undefined);
const wal = new Kysely<Database>({ dialect: new PostgresDialect({ pool: walPool }) });
const fence = new Fence(db, leadership, log, Date.now, wal);

function rule(id: string): Rule {
  return {
    id,
    tenant: 'default',
    target: '203.0.113.7/32',
    origin: 'auto',
    state: 'pending',
  } as unknown as Rule;
}

await leadership.start();
say({ event: 'started', state: leadership.state });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [cmd, id] = line.trim().split(/\s+/);
  if (cmd === 'announce' && id) {
    const result = await fence
      .call('announce', rule(id), 'router-file', async () => {
        appendFileSync(routerFile, `${node} ${id}\n`);
        return { ok: true, payload: { id } };
      })
      .catch((e: unknown) => ({ ok: false, error: `fence failed: ${String(e)}` }));
    say({ event: 'result', id, ok: result.ok, error: result.error ?? null });
  } else if (cmd === 'announce') {
    say({ event: 'error', error: 'usage: announce <ruleId>' });
  } else if (cmd === 'quit') break;
}
await leadership.stop();
await db.destroy();
await wal.destroy();
