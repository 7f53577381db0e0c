// Issue 17 acceptance, with real tools only: `floodgate agent` runs inside a victim namespace (fgagent-vic)
// whose management veth reaches a real `floodgate run` in the default namespace (10.243.9.1). A bounded
// hping3 UDP flood from an attacker namespace (fgagent-atk) hits the victim; the agent samples it with
// tcpdump 1 in 10, detects it with the Detector, reports it with its enrolled key; the controller's engine
// decides a drop through the agents adapter; the agent applies it in its own nftables table (seen with
// `ip netns exec fgagent-vic nft`, its counter catching a second flood); the attack's pcapng from the
// controller (forensics on) opens in tshark with the flood's packets; withdrawing the rule through the API
// empties the agent's table. Namespaces and veths are removed in afterAll whatever happened.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Rule } from '../../src/domain/rule.js';
import type { CaptureInfo } from '../../src/forensics/render.js';
import type { AttackRecord } from '../../src/domain/store-port.js';
import { freeUdpPort } from '../e2e/support-sflow.js';
import {
  authHeader,
  floodgateCommand,
  TEST_API_TOKEN,
  getJson,
  startFloodgate,
  type FloodgateProcess,
} from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const ATK = 'fgagent-atk';
const VIC = 'fgagent-vic';
const VICTIM = '10.243.0.2';
const CONTROLLER = '10.243.9.1';
const FLOOD_PORT = 9999;
const VICTIM6 = '2001:db8:243::2';

const sh = (argv: string[], ignore = false): string => {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: 'pipe', timeout: 30_000 });
  } catch (err) {
    if (ignore) return '';
    throw err;
  }
};

function teardown(): void {
  sh(['ip', 'netns', 'del', ATK], true);
  sh(['ip', 'netns', 'del', VIC], true);
  // the root end of the management veth goes with its peer's namespace; in case it did not:
  sh(['ip', 'link', 'del', 'fgagent-m0'], true);
}

/** Bounded UDP flood from the attacker namespace: -c packets at -i spacing, and a hard timeout. */
function flood(count: number, interval: string): void {
  sh(
    [
      'ip',
      'netns',
      'exec',
      ATK,
      'timeout',
      '30',
      'hping3',
      '-n',
      '-q',
      '--udp',
      '-p',
      String(FLOOD_PORT),
      '-d',
      '100',
      '-c',
      String(count),
      '-i',
      interval,
      VICTIM,
    ],
    true, // hping3 exits non-zero when nothing answers
  );
}

const vicNft = (args: string[]) => sh(['ip', 'netns', 'exec', VIC, 'nft', ...args], true);

describe('floodgate agent in a namespace: hping3 → detect → report → nftables drop → pcap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fgagent-'));
  let fg: FloodgateProcess | undefined;
  let agent: ChildProcess | undefined;
  let agentOut = '';

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (ip netns, nft)');
    for (const bin of ['hping3', 'tcpdump', 'nft', 'tshark', 'ip'])
      sh(['sh', '-c', `command -v ${bin} || test -x /usr/sbin/${bin}`]);
    teardown();
    // attacker ↔ victim on 10.243.0.0/24; victim ↔ default namespace (management) on 10.243.9.0/30.
    // No default routes, no forwarding: the flood cannot leave the pair.
    sh(['ip', 'netns', 'add', ATK]);
    sh(['ip', 'netns', 'add', VIC]);
    sh(['ip', 'link', 'add', 'fgagent-a0', 'type', 'veth', 'peer', 'name', 'fgagent-v0']);
    sh(['ip', 'link', 'set', 'fgagent-a0', 'netns', ATK]);
    sh(['ip', 'link', 'set', 'fgagent-v0', 'netns', VIC]);
    sh(['ip', 'link', 'add', 'fgagent-m0', 'type', 'veth', 'peer', 'name', 'fgagent-m1']);
    sh(['ip', 'link', 'set', 'fgagent-m1', 'netns', VIC]);
    sh(['ip', '-n', ATK, 'addr', 'add', '10.243.0.1/24', 'dev', 'fgagent-a0']);
    sh(['ip', '-n', ATK, 'link', 'set', 'fgagent-a0', 'up']);
    sh(['ip', '-n', VIC, 'addr', 'add', `${VICTIM}/24`, 'dev', 'fgagent-v0']);
    sh(['ip', '-n', VIC, 'link', 'set', 'fgagent-v0', 'up']);
    // IPv6 on the same pair (nodad: usable at once)
    sh(['ip', '-n', ATK, 'addr', 'add', '2001:db8:243::1/64', 'dev', 'fgagent-a0', 'nodad']);
    sh(['ip', '-n', VIC, 'addr', 'add', `${VICTIM6}/64`, 'dev', 'fgagent-v0', 'nodad']);
    sh(['ip', '-n', VIC, 'addr', 'add', '10.243.9.2/30', 'dev', 'fgagent-m1']);
    sh(['ip', '-n', VIC, 'link', 'set', 'fgagent-m1', 'up']);
    sh(['ip', '-n', VIC, 'link', 'set', 'lo', 'up']);
    sh(['ip', 'addr', 'add', `${CONTROLLER}/30`, 'dev', 'fgagent-m0']);
    sh(['ip', 'link', 'set', 'fgagent-m0', 'up']);

    fg = await startFloodgate(
      {
        node: { name: 'agent-e2e' },
        flow: {
          listeners: [{ protocol: 'sflow', address: '127.43.0.1', port: await freeUdpPort('127.43.0.1') }],
        },
        detection: { networks: ['10.243.0.0/24', '2001:db8:243::/64'] },
        mitigation: {
          dryRun: false,
          ttlSeconds: 300,
          confidence: { threshold: 0.3 },
          guards: { allowSpecialPurpose: ['10.243.0.0/24', '2001:db8:243::/48'] },
          policies: {
            default: {
              levels: [
                { intent: 'rate-limit', pps: 1e9, rateBitsPerSecond: 10e6 },
                { intent: 'drop', pps: 500 },
                { intent: 'blackhole', pps: 2e9 },
                { intent: 'scrubbing', pps: 5e9 },
              ],
            },
          },
        },
        agents: { enabled: true },
        // off loopback: reads need the token too (the harness's getJson sends it)
        api: { anonymousRead: false },
        forensics: { enabled: true, preAttackSeconds: 30, directory: join(dir, 'pcap') },
      },
      { apiHost: CONTROLLER, apiPort: await freeUdpPort(CONTROLLER) },
    );

    // enrolment through the API, with the CLI: the key is shown once
    const enrol = floodgateCommand([
      'agents',
      'enrol',
      'vic1',
      '--networks',
      `${VICTIM}/32,${VICTIM6}/128`,
      '--allow',
      'drop,rate-limit',
      '--api',
      fg.api,
      '--token',
      TEST_API_TOKEN,
      '--json',
    ]);
    const { stdout } = await run(enrol.cmd, enrol.args, { timeout: 60_000 });
    const { key } = JSON.parse(stdout) as { key: string };
    expect(key).toMatch(/^fga_/);

    writeFileSync(
      join(dir, 'agent.yaml'),
      stringify({
        log: { level: 'info' },
        detection: {
          networks: [`${VICTIM}/32`, `${VICTIM6}/128`],
          thresholds: { host: { incoming: { pps: 500 } }, prefix: { incoming: { pps: 1e9 } } },
          quietPeriod: 3,
        },
        agent: {
          controller: { url: fg.api, timeoutMs: 3000 },
          capture: { interface: 'fgagent-v0', samplingRate: 10 },
          reportIntervalMs: 500,
          mitigation: { allow: ['drop', 'rate-limit'], table: 'floodgate_agent' },
        },
      }),
    );
    const { cmd, args } = floodgateCommand(['agent', '-c', join(dir, 'agent.yaml')]);
    agent = spawn('ip', ['netns', 'exec', VIC, cmd, ...args], {
      env: { ...process.env, FLOODGATE_AGENT_KEY: key },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout?.on('data', (d: Buffer) => (agentOut += d.toString()));
    agent.stderr?.on('data', (d: Buffer) => (agentOut += d.toString()));
    await waitFor(
      'the agent to capture and report',
      () => agentOut.includes('floodgate agent running'),
      60_000,
    );
    await waitFor(
      'the first report',
      async () => {
        const { agents } = await getJson<{ agents: { name: string; status: { reports: number } | null }[] }>(
          `${fg!.api}/api/v1/agents`,
        );
        return (agents.find((a) => a.name === 'vic1')?.status?.reports ?? 0) > 0;
      },
      30_000,
      200,
    );
  }, 180_000);

  afterAll(async () => {
    try {
      if (agent && agent.exitCode === null) {
        const exited = new Promise((r) => agent!.once('exit', r));
        agent.kill('SIGTERM');
        const t = setTimeout(() => agent!.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      if (fg) await fg.stop('SIGTERM');
    } finally {
      teardown();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const why = () => `\nagent log:\n${agentOut.slice(-5000)}\nfloodgate log:\n${fg?.output().slice(-5000)}`;
  /** waitFor polling every 250 ms, with both processes' output in the error when time runs out. */
  const waitLogged = <T>(
    what: string,
    fn: () => Promise<T | undefined | false> | T | undefined | false,
    ms: number,
  ) =>
    waitFor(what, fn, ms, 250).catch((e: Error) => {
      throw new Error(e.message + why());
    });
  /** The engine's announced drop rule for `target`, as the API lists it. */
  const announcedDrop = (what: string, target: string) =>
    waitLogged(
      what,
      async () => {
        const { rules } = await getJson<{ rules: Rule[] }>(`${fg!.api}/api/v1/rules?active=true`);
        return rules.find((r) => r.target === target && r.intent === 'drop' && r.state === 'announced');
      },
      60_000,
    );
  /** The agent's nftables ruleset once it holds `rule` as a drop of `target`. */
  const inAgentTable = (what: string, rule: Rule, target: string) =>
    waitLogged(
      what,
      () => {
        const t = vicNft(['list', 'ruleset']);
        return t.includes(`fg:${rule.id} ${target} drop`) ? t : undefined;
      },
      30_000,
    );

  it('detects, reports, applies the drop it is told to, serves the pcap, and removes the rule when withdrawn', async () => {
    const api = fg!.api;
    // 12 000 packets at 200 µs ≈ 5 000 pps for ~2.5 s (threshold 500 pps)
    flood(12_000, 'u200');

    const attack = await waitLogged(
      'the agent-reported attack at the controller',
      async () => {
        const { attacks } = await getJson<{ attacks: AttackRecord[] }>(`${api}/api/v1/attacks`);
        return attacks.find((a) => a.target === `${VICTIM}/32`);
      },
      60_000,
    );
    expect(attack.attackId).toMatch(/@vic1$/);
    expect(attack.family).toBe('udp_flood');
    expect((attack.lastEvent as { node: string }).node).toBe('vic1');

    // the engine's rule, announced through the agents adapter
    const rule = await announcedDrop('an active drop rule for the victim', `${VICTIM}/32`);

    // applied by the agent in its own table inside the victim namespace
    const table = await inAgentTable('the drop rule in the agent’s nftables table', rule, `${VICTIM}/32`);
    expect(table).toContain('table inet floodgate_agent');
    expect(table).toMatch(new RegExp(`ip daddr ${VICTIM.replace(/\./g, '\\.')}.*drop`));

    // the rule drops: a second bounded flood is counted by it
    flood(500, 'u1000');
    const counted = await waitLogged(
      'the rule’s counter to count the second flood',
      () => {
        const j = JSON.parse(vicNft(['-j', 'list', 'table', 'inet', 'floodgate_agent']) || '{}') as {
          nftables?: { rule?: { comment?: string; expr?: { counter?: { packets: number } }[] } }[];
        };
        let n = 0;
        for (const i of j.nftables ?? [])
          if (i.rule?.comment?.startsWith(`fg:${rule.id} `))
            for (const e of i.rule.expr ?? []) n += e.counter?.packets ?? 0;
        return n >= 400 ? n : undefined;
      },
      30_000,
    );
    expect(counted).toBeGreaterThanOrEqual(400);

    // the attack's capture from the controller: the flood's packets, as the agent sampled them
    const ended = await waitLogged(
      'the attack to end at the controller',
      async () => {
        const { attacks } = await getJson<{ attacks: AttackRecord[] }>(`${api}/api/v1/attacks`);
        const a = attacks.find((x) => x.attackId === attack.attackId);
        return a?.endedAt ? a : undefined;
      },
      90_000,
    );
    const info = await waitFor('the capture to be written', async () => {
      const { captures } = await getJson<{ captures: CaptureInfo[] }>(`${api}/api/v1/forensics/captures`);
      return captures.find((c) => c.attackId === ended.attackId && c.endedAt !== undefined);
    });
    expect(info.exporters).toEqual([{ address: 'agent:vic1', samplingRate: 10 }]);
    const res = await fetch(`${api}/api/v1/attacks/${encodeURIComponent(attack.attackId)}/pcap`, {
      headers: authHeader,
    });
    expect(res.status).toBe(200);
    const file = join(dir, 'attack.pcapng');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const { stdout } = await run(
      'tshark',
      [
        '-r',
        file,
        '-T',
        'fields',
        '-E',
        'separator=,',
        '-e',
        'ip.src',
        '-e',
        'ip.dst',
        '-e',
        'udp.dstport',
        '-e',
        'frame.len',
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const rows = stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(','));
    expect(rows.length).toBe(info.packets);
    // ~1 in 10 of 12 000 packets, capped per report: well over a hundred
    expect(rows.length).toBeGreaterThan(100);
    for (const [src, dst, dport, len] of rows) {
      expect(src).toBe('10.243.0.1');
      expect(dst).toBe(VICTIM);
      expect(Number(dport)).toBe(FLOOD_PORT);
      expect(Number(len)).toBe(14 + 28 + 100); // Ethernet + IPv4 + UDP + -d 100
    }
    const desc = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_description'], {
      timeout: 60_000,
    });
    expect(new Set(desc.stdout.trim().split('\n'))).toEqual(
      new Set(['floodgate host agent vic1, sampling rate 1 in 10']),
    );

    // withdrawn through the API: the agent removes it (its last rule: the table goes too)
    const del = await fetch(`${api}/api/v1/rules/${encodeURIComponent(rule.id)}`, {
      method: 'DELETE',
      headers: authHeader,
    });
    expect(del.status).toBe(200);
    await waitLogged(
      'the agent’s table to be removed',
      () => !vicNft(['list', 'ruleset']).includes('floodgate_agent'),
      30_000,
    );
    // the agent logs the removal once nft has answered: wait for the line, do not race it
    await waitLogged('the agent to log the removal', () => agentOut.includes('mitigation removed'), 15_000);
  }, 300_000);

  it('does the same for IPv6: a UDP flood to the victim’s IPv6 address ends in an ip6 drop rule', async () => {
    const api = fg!.api;
    // hping3 has no IPv6: a bounded sender in the attacker namespace, 12 000 datagrams at ~5 000/s
    sh([
      'ip',
      'netns',
      'exec',
      ATK,
      'timeout',
      '30',
      '/usr/bin/python3',
      '-c',
      `import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for k in range(12000):
    s.sendto(b'x' * 100, ('${VICTIM6}', ${FLOOD_PORT}))
    if k % 100 == 99: time.sleep(0.02)`,
    ]);
    const rule = await announcedDrop('an active IPv6 drop rule for the victim', `${VICTIM6}/128`);
    expect(rule.family).toBe(6);
    const { attacks } = await getJson<{ attacks: AttackRecord[] }>(`${api}/api/v1/attacks`);
    const attack = attacks.find((a) => a.target === `${VICTIM6}/128`);
    expect(attack?.attackId).toMatch(/@vic1$/);
    expect(attack?.family).toBe('udp_flood');
    const table = await inAgentTable(
      'the IPv6 drop rule in the agent’s nftables table',
      rule,
      `${VICTIM6}/128`,
    );
    expect(table).toMatch(/ip6 daddr 2001:db8:243::2 .*drop/);
  }, 180_000);
});
