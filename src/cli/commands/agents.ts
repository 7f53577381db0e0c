// `floodgate agents enrol|list|revoke`: host agents through the API (docs/agent.md). The key printed by
// `enrol` is shown once; it goes into the agent's FLOODGATE_AGENT_KEY.
import type { Command } from 'commander';
import type { AgentRecord } from '../../agent/registry.js';
import { apiCall, apiOptions } from '../api-client.js';
import { formatTable } from './rules.js';

interface Common {
  api?: string;
  token?: string;
  json?: boolean;
}

const common = (c: Command) =>
  c
    .option('--api <url>', 'floodgate API base URL (env FLOODGATE_API)')
    .option('--token <token>', 'owner or admin bearer token (env FLOODGATE_API_TOKEN)')
    .option('--json', 'JSON output');

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

type Listed = AgentRecord & { status: { lastSeen: number; stale: boolean; held: string[] } | null };

export function registerAgents(program: Command): void {
  const agents = program
    .command('agents')
    .description('enrol, list and revoke host agents (floodgate agent)');

  common(
    agents
      .command('enrol <name>')
      .description('enrol a host agent; its key is printed once and stored only hashed')
      .requiredOption('--networks <list>', 'comma-separated prefixes the agent reports for (its addresses)')
      .option('--allow <list>', 'comma-separated intents it may apply locally (e.g. drop,rate-limit)', ''),
  ).action(async (name: string, o: Common & { networks: string; allow: string }) => {
    const out = await apiCall<{ agent: AgentRecord; key: string }>(apiOptions(o), 'POST', 'api/v1/agents', {
      name,
      networks: list(o.networks),
      allow: list(o.allow),
    });
    if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
    else
      process.stdout.write(
        `enrolled agent ${out.agent.id} "${out.agent.name}" (networks ${out.agent.networks.join(', ')}; may apply ${out.agent.allow.join(', ') || 'nothing'})\n` +
          `key (shown once; FLOODGATE_AGENT_KEY on the server): ${out.key}\n`,
      );
  });

  common(
    agents
      .command('list')
      .description('list agents and their last report')
      .option('--all', 'include revoked'),
  ).action(async (o: Common & { all?: boolean }) => {
    const { agents: rows } = await apiCall<{ agents: Listed[] }>(
      apiOptions(o),
      'GET',
      `api/v1/agents${o.all ? '?revoked=true' : ''}`,
    );
    if (o.json) for (const a of rows) process.stdout.write(JSON.stringify(a) + '\n');
    else
      process.stdout.write(
        rows.length
          ? formatTable(
              ['ID', 'NAME', 'NETWORKS', 'ALLOW', 'LAST REPORT', 'HELD', 'REVOKED'],
              rows.map((a) => [
                a.id,
                a.name,
                a.networks.join(','),
                a.allow.join(',') || '-',
                a.status
                  ? `${new Date(a.status.lastSeen).toISOString()}${a.status.stale ? ' (stale)' : ''}`
                  : 'never',
                a.status ? String(a.status.held.length) : '0',
                a.revokedAt === null ? '' : new Date(a.revokedAt).toISOString(),
              ]),
            ) + '\n'
          : 'no agents\n',
      );
  });

  common(agents.command('revoke <id>').description('revoke an agent: its key stops working at once')).action(
    async (id: string, o: Common) => {
      const { agent } = await apiCall<{ agent: AgentRecord }>(
        apiOptions(o),
        'DELETE',
        `api/v1/agents/${encodeURIComponent(id)}`,
      );
      process.stdout.write(
        o.json ? JSON.stringify(agent) + '\n' : `revoked agent ${agent.id} "${agent.name}"\n`,
      );
    },
  );
}
