// Starts a real BIRD 2 (foreground) with a BGP session to the receiver that exports only the
// adapter's static protocols, and no kernel protocol (never touches the host FIB).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, requireBinary, startDaemon } from '../../../support/daemon.js';

export function startBird(opts: {
  dir: string;
  local: string;
  peer: string;
  asn: number;
  include: string;
  socket: string;
}): Daemon {
  requireBinary('/usr/sbin/bird', 'bird2');
  requireBinary('/usr/sbin/birdc', 'bird2');
  const conf = join(opts.dir, 'bird.conf');
  writeFileSync(
    conf,
    [
      `log "${join(opts.dir, 'bird.log')}" all;`,
      'router id 10.255.40.3;',
      'flow4 table flowtab4;',
      'flow6 table flowtab6;',
      'protocol device { }',
      `include "${opts.include}";`,
      'protocol bgp to_receiver {',
      `  local ${opts.local} port 1179 as ${opts.asn};`,
      '  strict bind on;',
      `  neighbor ${opts.peer} port 1179 as ${opts.asn};`,
      '  connect retry time 2;',
      '  hold time 9;',
      '  ipv4 { import none; export where proto = "floodgate_rtbh4"; next hop keep; };',
      '  ipv6 { import none; export where proto = "floodgate_rtbh6"; next hop keep; };',
      '  flow4 { table flowtab4; import none; export where proto = "floodgate_flow4"; };',
      '  flow6 { table flowtab6; import none; export where proto = "floodgate_flow6"; };',
      '}',
      '',
    ].join('\n'),
  );
  return startDaemon(
    '/usr/sbin/bird',
    ['-f', '-c', conf, '-s', opts.socket, '-P', join(opts.dir, 'bird.pid')],
    join(opts.dir, 'bird.stdout'),
  );
}
