// `floodgate tokens create|list|revoke` (through the API, or straight into the store with --config to
// bootstrap the first token) and `floodgate audit verify` (walks the audit hash chain).
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { hashSecret, newSecret } from '../../api/auth.js';
import { loadConfig } from '../../config/load.js';
import { type ApiToken, ROLES, type Role } from '../../domain/access.js';
import { openStore } from '../../store/open.js';
import type { AuditVerification, Store } from '../../domain/store-port.js';
import { apiCall, apiOptions } from '../api-client.js';
import { formatTable } from './rules.js';

interface Common {
  api?: string;
  token?: string;
  config?: string;
  json?: boolean;
}

const common = (c: Command) =>
  c
    .option('--api <url>', 'floodgate API base URL (env FLOODGATE_API)')
    .option('--token <token>', 'API bearer token (env FLOODGATE_API_TOKEN)')
    .option('-c, --config <file>', 'work on the store this config names directly (floodgate need not run)')
    .option('--json', 'JSON output');

async function withStore<T>(file: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig(file).config.store);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function tokenRows(tokens: readonly ApiToken[]): string {
  return formatTable(
    ['ID', 'NAME', 'ROLE', 'TENANT', 'CREATED', 'BY', 'REVOKED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.role,
      t.tenant ?? '*',
      new Date(t.createdAt).toISOString(),
      t.createdBy,
      t.revokedAt === null ? '' : new Date(t.revokedAt).toISOString(),
    ]),
  );
}

export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('create, list and revoke API tokens');

  common(
    tokens
      .command('create')
      .description('mint a token; its secret is printed once and never stored')
      .requiredOption('--name <name>', 'token name (the audit shows api:<name>)')
      .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
      .option('--tenant <name>', 'bind the token to one tenant')
      .option('--rate <n>', 'requests per api.rateLimit window', (v) => Number.parseInt(v, 10)),
  ).action(async (o: Common & { name: string; role: string; tenant?: string; rate?: number }) => {
    if (!ROLES.includes(o.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    let out: { token: ApiToken; secret: string };
    if (o.config) {
      out = await withStore(o.config, async (store) => {
        const secret = newSecret();
        if ((await store.tokens.list()).some((t) => t.name === o.name))
          throw new Error(`a token named "${o.name}" exists; revoke it first`);
        const token = await store.tokens.create({
          id: randomUUID(),
          name: o.name,
          role: o.role as Role,
          tenant: o.tenant ?? null,
          secretHash: hashSecret(secret),
          rateLimit: o.rate ?? null,
          createdAt: Date.now(),
          createdBy: 'cli',
        });
        await store.audit.append({
          at: token.createdAt,
          actor: 'cli',
          action: 'config',
          tenant: token.tenant ?? '*',
          dryRun: false,
          reason: `API token "${token.name}" created (${token.role}) from the command line`,
          payload: { token: { id: token.id, name: token.name, role: token.role, tenant: token.tenant } },
        });
        return { token, secret };
      });
    } else {
      out = await apiCall(apiOptions(o), 'POST', 'api/v1/tokens', {
        name: o.name,
        role: o.role,
        ...(o.tenant ? { tenant: o.tenant } : {}),
        ...(o.rate ? { rateLimit: o.rate } : {}),
      });
    }
    if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
    else
      process.stdout.write(
        `created token ${out.token.id} "${out.token.name}" (${out.token.role}${out.token.tenant ? `, tenant ${out.token.tenant}` : ''})\n` +
          `secret (shown once, keep it safe): ${out.secret}\n`,
      );
  });

  common(tokens.command('list').description('list tokens').option('--all', 'include revoked tokens')).action(
    async (o: Common & { all?: boolean }) => {
      const list = o.config
        ? await withStore(o.config, (s) => s.tokens.list({ includeRevoked: o.all === true }))
        : (
            await apiCall<{ tokens: ApiToken[] }>(
              apiOptions(o),
              'GET',
              `api/v1/tokens${o.all ? '?revoked=true' : ''}`,
            )
          ).tokens;
      if (o.json) for (const t of list) process.stdout.write(JSON.stringify(t) + '\n');
      else process.stdout.write(list.length ? tokenRows(list) + '\n' : 'no tokens\n');
    },
  );

  common(tokens.command('revoke <id>').description('revoke a token now')).action(
    async (id: string, o: Common) => {
      if (o.config) {
        const ok = await withStore(o.config, async (s) => {
          const t = await s.tokens.get(id);
          if (!t || !(await s.tokens.revoke(id, Date.now()))) return false;
          await s.audit.append({
            at: Date.now(),
            actor: 'cli',
            action: 'config',
            tenant: t.tenant ?? '*',
            dryRun: false,
            reason: `API token "${t.name}" revoked from the command line`,
          });
          return true;
        });
        if (!ok) throw new Error(`no active token ${id}`);
      } else {
        await apiCall(apiOptions(o), 'DELETE', `api/v1/tokens/${encodeURIComponent(id)}`);
      }
      process.stdout.write(`revoked ${id}\n`);
    },
  );
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the append-only audit log');
  common(
    audit
      .command('verify')
      .description(
        'check the audit hash chain: any edited, deleted or reordered record is reported (exit 1)',
      ),
  ).action(async (o: Common) => {
    const out = o.config
      ? await withStore(o.config, (s) => s.audit.verify())
      : await apiCall<AuditVerification>(apiOptions(o), 'GET', 'api/v1/audit/verify');
    if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      process.stdout.write(
        out.ok
          ? `audit log OK: ${out.records} records${out.legacy ? ` (${out.legacy} older than the chain)` : ''}, head #${out.head?.id ?? '-'} ${out.head?.hash ?? ''}\n`
          : `audit log TAMPERED: ${out.problems.length} problem(s) in ${out.records} records\n` +
              out.problems.map((p) => `  #${p.id ?? '-'} ${p.kind}: ${p.message}\n`).join(''),
      );
    }
    if (!out.ok) process.exitCode = 1;
  });
}
