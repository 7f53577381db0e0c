// `floodgate rules list|add|withdraw`: the API's rule calls from the command line.
import type { Command } from 'commander';
import type { Rule } from '../../domain/rule.js';
import { INTENTS } from '../../domain/rule.js';
import { apiCall, apiOptions } from '../api-client.js';

function ruleRow(r: Rule): string[] {
  const left = Math.max(0, Math.round((r.expiresAt - Date.now()) / 1000));
  return [
    r.id,
    r.state,
    r.target,
    r.intent,
    String(r.level),
    r.origin,
    r.dryRun ? 'yes' : 'no',
    r.state === 'withdrawn' ? '-' : `${left}s`,
    r.reason,
  ];
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c.length > widths[i]! ? c.slice(0, widths[i]! - 1) + '…' : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function registerRules(program: Command): void {
  const rules = program
    .command('rules')
    .description('list, add and withdraw mitigation rules on a running floodgate');
  const common = (c: Command) =>
    c
      .option('--api <url>', 'floodgate API base URL (env FLOODGATE_API)', undefined)
      .option('--token <token>', 'API bearer token (env FLOODGATE_API_TOKEN)');

  common(
    rules
      .command('list')
      .description('list rules (active ones unless --all)')
      .option('--all', 'include withdrawn rules')
      .option('--tenant <name>', 'only this tenant')
      .option('--json', 'one JSON object per line'),
  ).action(async (o: { api?: string; token?: string; all?: boolean; tenant?: string; json?: boolean }) => {
    const qs = new URLSearchParams();
    if (!o.all) qs.set('active', 'true');
    if (o.tenant) qs.set('tenant', o.tenant);
    const { rules: list } = await apiCall<{ rules: Rule[] }>(apiOptions(o), 'GET', `api/v1/rules?${qs}`);
    if (o.json) {
      for (const r of list) process.stdout.write(JSON.stringify(r) + '\n');
      return;
    }
    if (list.length === 0) {
      process.stdout.write('no rules\n');
      return;
    }
    process.stdout.write(
      formatTable(
        ['ID', 'STATE', 'TARGET', 'INTENT', 'LVL', 'ORIGIN', 'DRY-RUN', 'TTL', 'REASON'],
        list.map(ruleRow),
      ) + '\n',
    );
  });

  common(
    rules
      .command('add')
      .description('add a manual rule; every guard applies')
      .requiredOption('--target <ip-or-prefix>', 'target address or prefix inside your networks')
      .requiredOption('--intent <intent>', `one of ${INTENTS.join(', ')}`)
      .option('--protocol <n>', 'IP protocol number (6 tcp, 17 udp, 1 icmp)', (v) => Number.parseInt(v, 10))
      .option('--port <n>', 'destination port', (v) => Number.parseInt(v, 10))
      .option('--source-port <n>', 'source port', (v) => Number.parseInt(v, 10))
      .option(
        '--match <flowspec>',
        'full FlowSpec match in the text grammar, e.g. "flow4 proto =17 sport =53 length >=512" (instead of --protocol/--port/--source-port)',
      )
      .option('--rate <bps>', 'rate limit in bits per second', (v) => Number(v))
      .option('--ttl <seconds>', 'time to live', (v) => Number.parseInt(v, 10))
      .option('--level <n>', 'escalation level 0-4', (v) => Number.parseInt(v, 10))
      .option('--tenant <name>', 'tenant')
      .option('--reason <text>', 'why')
      .option('--json', 'print the rule as JSON'),
  ).action(async (o: Record<string, unknown> & { api?: string; token?: string; json?: boolean }) => {
    const body = Object.fromEntries(
      Object.entries({
        target: o.target,
        intent: o.intent,
        protocol: o.protocol,
        port: o.port,
        sourcePort: o.sourcePort,
        match: o.match,
        rateBitsPerSecond: o.rate,
        ttlSeconds: o.ttl,
        level: o.level,
        tenant: o.tenant,
        reason: o.reason,
      }).filter(([, v]) => v !== undefined),
    );
    const out = await apiCall<{ rule: Rule; queued: boolean }>(apiOptions(o), 'POST', 'api/v1/rules', body);
    if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
    else
      process.stdout.write(
        `${out.queued ? 'queued' : 'added'} ${out.rule.id}: ${out.rule.intent} ${out.rule.target} (${out.rule.state}${out.rule.dryRun ? ', dry-run' : ''})\n`,
      );
  });

  common(
    rules.command('withdraw <id>').description('withdraw a rule now').option('--reason <text>', 'why'),
  ).action(async (id: string, o: { api?: string; token?: string; reason?: string }) => {
    const out = await apiCall<{ rule: Rule }>(
      apiOptions(o),
      'DELETE',
      `api/v1/rules/${encodeURIComponent(id)}`,
      o.reason ? { reason: o.reason } : {},
    );
    process.stdout.write(`withdrawn ${out.rule.id} (${out.rule.target})\n`);
  });
}
