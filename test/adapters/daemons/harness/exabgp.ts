// Starts a real exabgp 4.2 whose API process is `floodgate exabgp-api` connecting to the adapter link.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Daemon, requireBinary, startDaemon } from '../../../support/daemon.js';

const ENTRY = resolve(import.meta.dirname, '../fixtures/exabgp-api-entry.ts');
const TSX = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');

export function startExabgp(opts: {
  dir: string;
  local: string;
  peer: string;
  asn: number;
  link: string;
}): Daemon {
  requireBinary('/usr/sbin/exabgp', 'exabgp');
  const conf = join(opts.dir, 'exabgp.conf');
  writeFileSync(
    conf,
    [
      'process floodgate {',
      `  run ${TSX} ${ENTRY} exabgp-api --connect ${opts.link} --retry-ms 200;`,
      '  encoder text;',
      '}',
      `neighbor ${opts.peer} {`,
      '  router-id 10.255.40.5;',
      `  local-address ${opts.local};`,
      `  local-as ${opts.asn};`,
      `  peer-as ${opts.asn};`,
      '  connect 1179;',
      '  hold-time 9;',
      '  group-updates false;',
      '  family { ipv4 unicast; ipv6 unicast; ipv4 flow; ipv6 flow; }',
      '  api { processes [ floodgate ]; }',
      '}',
      '',
    ].join('\n'),
  );
  const env = join(opts.dir, 'exabgp.env');
  writeFileSync(
    env,
    [
      '[exabgp.api]',
      'ack = true',
      'cli = false',
      'respawn = true',
      '[exabgp.daemon]',
      'daemonize = false',
      'drop = false',
      "user = 'root'",
      `pid = '${join(opts.dir, 'exabgp.pid')}'`,
      '[exabgp.log]',
      `destination = '${join(opts.dir, 'exabgp.log')}'`,
      'level = INFO',
      '[exabgp.tcp]',
      "bind = ''",
      'port = 1179',
      '',
    ].join('\n'),
  );
  return startDaemon('/usr/sbin/exabgp', ['--env', env, conf], join(opts.dir, 'exabgp.stdout'));
}
