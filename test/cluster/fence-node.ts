// One engine process for the fencing test: takes part in the election (src/cluster/leadership.ts) and, on
// each stdin line "announce <ruleId>", announces through the fence (src/cluster/fence.ts) to an adapter
// that appends to a file — the file stands for the router: what reaches it was sent. Prints JSON lines.
// Run: node --import tsx test/cluster/fence-node.ts <postgres-url> <node-name> <router-file>
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Fence, recoverIntents } from '../../src/cluster/fence.js';
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
    // as ClusterNode does: audit what a previous leader sent and never recorded, before acting
    const recovered = await recoverIntents(db, token, node, Date.now());
    say({ event: 'elected', token, recovered });
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
// "announce <id>" announces; "announce-hang <id>" reaches the router and then never returns (a process
// frozen between its UPDATE and its commit). Lines run concurrently, so a hung call blocks nothing else.
for await (const line of lines) {
  const [cmd, id] = line.trim().split(/\s+/);
  if ((cmd === 'announce' || cmd === 'announce-hang') && id) {
    void fence
      .call('announce', rule(id), 'router-file', async () => {
        appendFileSync(routerFile, `${node} ${id}\n`);
        if (cmd === 'announce-hang') await new Promise(() => undefined);
        return { ok: true, payload: { id } };
      })
      .catch((e: unknown) => ({ ok: false, error: `fence failed: ${String(e)}` }))
      .then((result) => say({ event: 'result', id, ok: result.ok, error: result.error ?? null }));
  } else if (cmd === 'quit') break;
  else say({ event: 'error', error: `unknown command: ${line}` });
}
await leadership.stop();
await db.destroy();
await wal.destroy();
