// Every `floodgate …` line in the sh blocks of docs/quickstart.md and docs/tuning.md runs and exits 0:
// config commands against a temp file, daemon commands (doctor, rules) against a floodgate this test
// starts on 127.23.0.2, replay/simulate on the fixtures. Placeholders are listed in PLACEHOLDERS.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FloodgateProcess,
  TEST_API_TOKEN,
  floodgateCommand,
  startFloodgate,
} from '../support/floodgate-process.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const DOCS = ['docs/quickstart.md', 'docs/tuning.md'];
const CONFIG = '/etc/floodgate/floodgate.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'fg-docs-'));

/** The lines starting with `floodgate ` inside ```sh blocks, in document order. */
export function docCommands(markdown: string): string[] {
  const out: string[] = [];
  let inSh = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) inSh = !inSh && line.trim() === '```sh';
    else if (inSh && line.startsWith('floodgate ')) out.push(line.trim());
  }
  return out;
}

const commands = DOCS.flatMap((d) =>
  docCommands(readFileSync(join(ROOT, d), 'utf8')).map((c) => ({ doc: d, line: c })),
);

// commands that talk to a running floodgate
const needsDaemon = (args: string[]) => args[0] === 'doctor' || args[0] === 'rules';

let fg: FloodgateProcess;
beforeAll(async () => {
  fg = await startFloodgate(
    {
      detection: { networks: ['203.0.113.0/24'] },
      flow: { listeners: [{ protocol: 'sflow', address: '127.23.0.2', port: 16344 }] },
    },
    { apiHost: '127.23.0.2', apiPort: 18424, dir: mkdtempSync(join(tmpdir(), 'fg-docs-run-')) },
  );
}, 60_000);
afterAll(async () => {
  await fg?.stop();
  rmSync(fg.dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

function substitute(args: string[]): string[] {
  const placeholders: Record<string, string> = {
    [CONFIG]: needsDaemon(args) ? join(fg.dir, 'floodgate.yaml') : join(tmp, 'floodgate.yaml'),
    'CAPTURE.pcap': join(ROOT, 'test', 'fixtures', 'flow', 'sfprobe-sflow5.pcap'),
    'SCENARIO.json': join(ROOT, 'examples', 'scenarios', 'escalation.json'),
  };
  return args.map((a) => placeholders[a] ?? a);
}

describe('first-hour docs', () => {
  it('show the commands an operator needs (init, check-config, doctor, rules, replay, simulate)', () => {
    const verbs = new Set(commands.map((c) => c.line.split(/\s+/)[1]));
    for (const v of ['init', 'check-config', 'doctor', 'rules', 'replay', 'simulate'])
      expect(verbs).toContain(v);
  });

  // sequential and in document order: init writes the config the later lines read
  it.each(commands.map((c) => [`${c.doc}: ${c.line}`, c.line] as const))(
    '%s',
    { timeout: 60_000 },
    async (_name, line) => {
      expect(line, 'no shell quoting or expansion: the test splits on spaces').not.toMatch(/['"$`|&;<>]/);
      const args = substitute(line.split(/\s+/).slice(1));
      const { cmd, args: argv } = floodgateCommand(args);
      await run(cmd, argv, {
        cwd: ROOT, // --import tsx resolves from here; every path in the lines is absolute after substitution
        env: { ...process.env, FLOODGATE_API: fg.api, FLOODGATE_API_TOKEN: TEST_API_TOKEN },
        maxBuffer: 16 << 20,
      }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
        throw new Error(`exit ${err.code}:\n${err.stdout}\n${err.stderr}`);
      });
    },
  );
});
