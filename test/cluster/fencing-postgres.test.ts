// Issue 16, "one active engine": two engine processes elect a leader in a real PostgreSQL. The leader is
// paused (SIGSTOP), the standby waits out the lease, ends the paused leader's sessions and is elected with
// the next fencing token; the old leader is resumed with an announce waiting on its stdin, and the fence
// refuses it: nothing reaches the "router" (a file), the refusal is in the audit chain and the fence log.
// Then the new leader is killed between its announce and the commit: a third engine audits that announce.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { waitFor as wait } from '../support/wait.js';

const HOST = '127.42.0.10';
const ROOT = resolve(import.meta.dirname, '..', '..');

interface Node {
  readonly child: ChildProcess;
  lines(): Record<string, unknown>[];
  send(line: string): void;
}

function startNode(url: string, name: string, routerFile: string): Node {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test', 'cluster', 'fence-node.ts'), url, name, routerFile],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LEASE_MS: '1500', POLL_MS: '200' } },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    send: (line) => child.stdin?.write(line + '\n'),
  };
}

/** The one waitFor (50 ms polls), its timeout error followed by the nodes' output. */
const waitFor = <T>(what: string, fn: () => T | undefined, ms = 60_000, dump?: () => string): Promise<T> =>
  wait(what, fn, ms, 50).catch((err: Error) => {
    throw new Error(`${err.message}\n${dump?.() ?? ''}`, { cause: err });
  });

const find = (n: Node, pred: (l: Record<string, unknown>) => boolean) => n.lines().find(pred);

describe('leadership and fencing on a real PostgreSQL (two processes, SIGSTOP)', () => {
  let server: PostgresServer;
  let dir: string;
  const nodes: Node[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-fence-'));
    server = await startPostgres(HOST, 55442);
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes) {
      if (n.child.exitCode !== null || n.child.signalCode !== null) continue;
      const gone = new Promise((r) => n.child.once('exit', r));
      n.child.kill('SIGCONT');
      n.child.kill('SIGKILL');
      await gone;
    }
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('a deposed leader resumed after SIGSTOP cannot announce (audited as refused); a leader killed mid-announce is audited by the next', async () => {
    const router = join(dir, 'router.txt');
    const routerLines = () => (existsSync(router) ? readFileSync(router, 'utf8').trim().split('\n') : []);
    const dump = () => nodes.map((n, i) => `node ${i}:\n` + JSON.stringify(n.lines(), null, 1)).join('\n');

    const a = startNode(server.url, 'engine-a', router);
    nodes.push(a);
    await waitFor('A elected', () => find(a, (l) => l.event === 'elected'), 60_000, dump);
    expect(find(a, (l) => l.event === 'elected')?.token).toBe(1);
    a.send('announce r-a1');
    await waitFor('A announce', () => find(a, (l) => l.event === 'result' && l.id === 'r-a1'), 30_000, dump);
    expect(find(a, (l) => l.id === 'r-a1')?.ok).toBe(true);

    const b = startNode(server.url, 'engine-b', router);
    nodes.push(b);
    await waitFor('B started as standby', () => find(b, (l) => l.event === 'started'), 60_000, dump);
    expect(find(b, (l) => l.event === 'started')?.state).toBe('standby');
    // a standby is refused too: it holds no token
    b.send('announce r-b0');
    await waitFor('B refused', () => find(b, (l) => l.event === 'result' && l.id === 'r-b0'), 30_000, dump);
    expect(find(b, (l) => l.id === 'r-b0')).toMatchObject({ ok: false });

    a.child.kill('SIGSTOP');
    const elected = await waitFor('B elected', () => find(b, (l) => l.event === 'elected'), 60_000, dump);
    expect(elected.token).toBe(2);
    expect(elected.recovered).toBe(0);
    // the announce is queued on the paused process's stdin; it runs the moment the process resumes
    a.send('announce r-a2');
    a.child.kill('SIGCONT');
    const refused = await waitFor(
      'A result after resume',
      () => find(a, (l) => l.event === 'result' && l.id === 'r-a2'),
      60_000,
      dump,
    );
    expect(refused.ok).toBe(false);
    expect(String(refused.error)).toMatch(/fenced: deposed leader: token 1 < current 2/);

    b.send('announce r-b1');
    await waitFor('B announce', () => find(b, (l) => l.event === 'result' && l.id === 'r-b1'), 30_000, dump);
    expect(find(b, (l) => l.id === 'r-b1')?.ok).toBe(true);

    // the router saw exactly the leaders' announces, in order
    // B dies (kill -9) right after its announce reached the router, before the call committed: C is elected
    // with token 3 and writes that announce to the audit before it acts
    b.send('announce-hang r-b9');
    await waitFor(
      'r-b9 at the router',
      () => (routerLines().includes('engine-b r-b9') ? true : undefined),
      30_000,
      dump,
    );
    b.child.kill('SIGKILL');
    const cNode = startNode(server.url, 'engine-c', router);
    nodes.push(cNode);
    const third = await waitFor('C elected', () => find(cNode, (l) => l.event === 'elected'), 60_000, dump);
    expect(third).toMatchObject({ token: 3, recovered: 1 });

    expect(routerLines()).toEqual(['engine-a r-a1', 'engine-b r-b1', 'engine-b r-b9']);

    // the fence log: token per call, refusals with the token they were refused against
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    const fence = await c.query<{ rule_id: string; token: string; current_token: string; outcome: string }>(
      'SELECT rule_id, token, current_token, outcome FROM fg_cluster_fence ORDER BY id',
    );
    await c.end();
    expect(fence.rows.map((r) => [r.rule_id, Number(r.token), Number(r.current_token), r.outcome])).toEqual([
      ['r-a1', 1, 1, 'sent'],
      ['r-b0', -1, 1, 'refused'],
      ['r-a2', 1, 2, 'refused'],
      ['r-b1', 2, 2, 'sent'],
      ['r-b9', 2, 2, 'recovered'],
    ]);

    // the refusals are in the audit, and the chain they were appended to still verifies
    const store = await openPostgresStore(server.url);
    try {
      const audit = await store.audit.query({});
      const rejects = audit.filter((r) => r.action === 'reject' && r.ruleId === 'r-a2');
      expect(rejects).toHaveLength(1);
      expect(rejects[0]).toMatchObject({
        actor: 'cluster:engine-a',
        reason: 'fenced: announce refused — deposed leader: token 1 < current 2',
        payload: { fenced: true, token: 1, currentToken: 2 },
      });
      const recovered = audit.filter((r) => r.ruleId === 'r-b9');
      expect(recovered).toHaveLength(1);
      expect(recovered[0]).toMatchObject({
        actor: 'cluster:engine-c',
        action: 'announce',
        adapter: 'router-file',
      });
      expect(recovered[0]!.reason).toMatch(
        /^recovered from the fence log: engine engine-b \(token 2\) sent this announce/,
      );
      expect((await store.audit.verify()).ok).toBe(true);
    } finally {
      await store.close();
    }
  }, 240_000);
});
