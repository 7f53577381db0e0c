// `floodgate attacks pcap ID [-o FILE]` and `floodgate attacks captures`: attack captures (pcapng) of a
// running floodgate, from the API's forensics routes.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CaptureInfo } from '../../forensics/render.js';
import { apiCall, apiOptions } from '../api-client.js';
import { formatTable } from './rules.js';

export function registerAttacks(program: Command): void {
  const attacks = program.command('attacks').description('attack captures (pcapng) of a running floodgate');
  const common = (c: Command) =>
    c
      .option('--api <url>', 'floodgate API base URL (env FLOODGATE_API)', undefined)
      .option('--token <token>', 'API bearer token (env FLOODGATE_API_TOKEN)');

  common(
    attacks
      .command('pcap <id>')
      .description("download an attack's capture (an ongoing attack's as it stands)")
      .option('-o, --output <file>', 'write here (default: <id>.pcapng with unsafe characters replaced)'),
  ).action(async (id: string, o: { api?: string; token?: string; output?: string }) => {
    const opts = apiOptions(o);
    const url = new URL(
      `api/v1/attacks/${encodeURIComponent(id)}/pcap`,
      opts.api.endsWith('/') ? opts.api : opts.api + '/',
    );
    let res;
    try {
      const { request } = await import('undici');
      res = await request(url, {
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
        headersTimeout: 30_000,
        bodyTimeout: 60_000,
      });
    } catch (err) {
      throw new Error(`cannot reach the floodgate API at ${opts.api}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) {
      let msg = body.toString('utf8').slice(0, 300);
      try {
        msg = (JSON.parse(msg) as { error: { message: string } }).error.message;
      } catch {
        /* not the API's JSON error */
      }
      throw new Error(`attack ${id}: HTTP ${res.statusCode}: ${msg}`);
    }
    const file = o.output ?? `${id.replace(/[^A-Za-z0-9.-]+/g, '_')}.pcapng`;
    writeFileSync(file, body);
    process.stderr.write(`wrote ${body.length} bytes to ${file}\n`);
  });

  common(
    attacks
      .command('captures')
      .description('list attack captures')
      .option('--json', 'one JSON object per line'),
  ).action(async (o: { api?: string; token?: string; json?: boolean }) => {
    const { captures } = await apiCall<{ captures: CaptureInfo[] }>(
      apiOptions(o),
      'GET',
      'api/v1/forensics/captures',
    );
    if (o.json) {
      for (const c of captures) process.stdout.write(JSON.stringify(c) + '\n');
      return;
    }
    const rows = captures.map((c) => [
      c.attackId,
      c.target,
      c.family,
      new Date(c.startedAt).toISOString(),
      c.endedAt ? 'ended' : 'ongoing',
      String(c.packets),
      c.size !== undefined ? String(c.size) : '-',
    ]);
    process.stdout.write(
      (rows.length
        ? formatTable(['ATTACK', 'TARGET', 'FAMILY', 'STARTED', 'STATE', 'PACKETS', 'BYTES'], rows)
        : 'no captures') + '\n',
    );
  });
}
