// floodgate simulate: the example scenario through the real engine, and the command's output.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatDecision, simulate } from '../../src/engine-shell/scenario.js';

const run = promisify(execFile);
const EXAMPLE = new URL('../../examples/scenarios/escalation.json', import.meta.url);

describe('simulate', () => {
  it('runs the example scenario: announce, reject, escalate, de-escalate, withdraw in time order', async () => {
    const { decisions } = await simulate(JSON.parse(await readFile(EXAMPLE, 'utf8')));
    const summary = decisions.map(
      (d) => `${d.t} ${d.action} ${d.target} ${d.intent ?? '-'} ${d.level ?? '-'}`,
    );
    expect(summary).toEqual([
      '0 announce 203.0.113.5/32 rate-limit 1',
      '10 reject 198.51.100.7/32 - 2',
      '30 announce 203.0.113.9/32 drop 0',
      '60 escalate 203.0.113.5/32 drop 2',
      '120 escalate 203.0.113.5/32 blackhole 3',
      '120 withdraw 203.0.113.5/32 drop 2',
      '150 withdraw 203.0.113.9/32 drop 0',
      '180 de-escalate 203.0.113.5/32 rate-limit 1',
      '180 withdraw 203.0.113.5/32 blackhole 3',
      '595 withdraw 203.0.113.5/32 rate-limit 1',
    ]);
    expect(decisions.every((d) => d.dryRun)).toBe(true);
    expect(formatDecision(decisions[0]!)).toMatch(
      /^t= +0\.000 announce +203\.0\.113\.5\/32 rate-limit L1 \[dry-run\] — confidence 0\.85/,
    );
  });

  it('alerts, queues and rolls back where the scenario calls for it', async () => {
    const { decisions } = await simulate({
      config: {
        dryRun: false,
        tenants: { t: { networks: ['203.0.113.0/24'] } },
        guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
        limits: { deploymentsPerWindow: 2 },
      },
      steps: [
        { t: 0, event: { target: '203.0.113.1/32', bps: 2e8, severity: 2 } },
        { t: 1, legit: { target: '203.0.113.2/32', bps: 4e7 } },
        {
          t: 1,
          event: {
            target: '203.0.113.2/32',
            family: 'udp_flood',
            bps: 3e9,
            severity: 30,
            signature: { protocols: [17], sourcePorts: [123] },
          },
        },
        { t: 2, event: { target: '203.0.113.3/32', family: 'udp_flood', bps: 3e8, severity: 30 } },
        { t: 3, event: { target: '203.0.113.4/32', family: 'udp_flood', bps: 3e8, severity: 30 } },
        { t: 5, legit: { target: '203.0.113.2/32', bps: 1e6 } },
      ],
      until: 70,
    });
    const actions = decisions.map((d) => `${d.action} ${d.target}`);
    expect(actions).toContain('alert 203.0.113.1/32');
    expect(actions).toContain('queue 203.0.113.4/32');
    expect(decisions.find((d) => d.action === 'rollback')).toMatchObject({
      target: '203.0.113.2/32',
      intent: 'drop',
    });
    expect(decisions.every((d) => !d.dryRun)).toBe(true);
  });

  it('the command prints lines, or JSON with --json, and names the key of a bad scenario', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fg-sim-'));
    const entry = join(dir, 'cli.mts');
    await writeFile(
      entry,
      `import { Command } from ${JSON.stringify(new URL('../../node_modules/commander/esm.mjs', import.meta.url).pathname)};\nimport { registerSimulate } from ${JSON.stringify(new URL('../../src/cli/commands/simulate.ts', import.meta.url).pathname)};\nconst p = new Command();\nregisterSimulate(p);\nawait p.parseAsync(process.argv);\n`,
    );
    const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
    const text = await run(tsx, [entry, 'simulate', EXAMPLE.pathname]);
    expect(text.stdout.split('\n')[0]).toContain('announce');
    const json = await run(tsx, [entry, 'simulate', EXAMPLE.pathname, '--json']);
    const parsed = JSON.parse(json.stdout) as { action: string }[];
    expect(parsed.map((d) => d.action)).toContain('de-escalate');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ steps: [{ t: 0, event: { target: '203.0.113.1/32', bps: 1 } }] }));
    const err = await run(tsx, [entry, 'simulate', bad]).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('steps.0.event');
  }, 60_000);
});
