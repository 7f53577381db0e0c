// Records what real peers send us, as fixtures for the codec tests (test/fixtures/bgp/*.json).
// usage: npx tsx scripts/bgp-capture-fixtures.ts   (needs gobgpd and bird2; binds 127.0.30.40-42)
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { hex } from '../src/bgp/codec/bytes.js';
import { splitMessages } from '../src/bgp/codec/header.js';
import { KEEPALIVE } from '../src/bgp/codec/keepalive.js';
import { encodeOpen } from '../src/bgp/codec/open.js';
import { localCapabilities } from '../src/bgp/negotiate.js';
import { Gobgpd } from '../test/support/daemons/gobgpd.js';
import { Bird } from '../test/support/daemons/bird.js';

const ME = '127.0.30.40';
const families = ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'] as const;

async function capture(
  host: string,
  port: number,
  remoteAs: number,
  inject: () => Promise<void>,
  ms = 3000,
): Promise<{ type: number; hex: string }[]> {
  const sock = net.connect({ host, port, localAddress: ME });
  await new Promise<void>((r, j) => sock.once('connect', r).once('error', j));
  sock.write(
    encodeOpen({
      asn: 65040,
      holdTime: 90,
      bgpId: '10.30.0.40',
      capabilities: localCapabilities({ asn: 65040, families: [...families], gracefulRestartTime: 120 }),
    }),
  );
  let rx: Uint8Array = new Uint8Array(0);
  const out: { type: number; hex: string }[] = [];
  sock.on('data', (d: Buffer) => {
    rx = new Uint8Array([...rx, ...d]);
    const { messages, rest } = splitMessages(rx, 65535);
    rx = rest.slice();
    for (const m of messages) {
      out.push({ type: m.type, hex: hex(m.bytes) });
      if (m.type === 1 || m.type === 4) sock.write(KEEPALIVE);
    }
  });
  await new Promise((r) => setTimeout(r, 1500));
  await inject();
  await new Promise((r) => setTimeout(r, ms));
  sock.destroy();
  return out;
}

const g = new Gobgpd({
  address: '127.0.30.41',
  asn: 65041,
  grpcPort: 50140,
  peerAddress: ME,
  peerAs: 65040,
  families: ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'],
});
await g.start();
try {
  const msgs = await capture('127.0.30.41', 1179, 65041, async () => {
    const add = (args: string[]) => g.cli(['global', 'rib', ...args]);
    await add([
      '-a',
      'ipv4-flowspec',
      'add',
      'match',
      'destination',
      '203.0.113.5/32',
      'protocol',
      'udp',
      'source-port',
      '==53',
      'then',
      'rate-limit',
      '10000',
    ]);
    await add([
      '-a',
      'ipv4-flowspec',
      'add',
      'match',
      'destination',
      '203.0.113.5/32',
      'protocol',
      'tcp',
      'tcp-flags',
      '=S',
      'destination-port',
      '==80',
      'then',
      'discard',
    ]);
    await add([
      '-a',
      'ipv6-flowspec',
      'add',
      'match',
      'destination',
      '2001:db8::5/128',
      'protocol',
      'udp',
      'source-port',
      '==123',
      'then',
      'rate-limit',
      '0',
    ]);
    await add([
      '-a',
      'ipv4',
      'add',
      '203.0.113.5/32',
      'nexthop',
      '100.64.0.1',
      'community',
      '65535:666',
      'large-community',
      '65041:666:1',
    ]);
    await add(['-a', 'ipv6', 'add', '2001:db8::5/128', 'nexthop', '100::1', 'community', '65535:666']);
    await new Promise((r) => setTimeout(r, 500));
    await add([
      '-a',
      'ipv4-flowspec',
      'del',
      'match',
      'destination',
      '203.0.113.5/32',
      'protocol',
      'udp',
      'source-port',
      '==53',
    ]);
    await add(['-a', 'ipv4', 'del', '203.0.113.5/32']);
  });
  writeFileSync(
    'test/fixtures/bgp/gobgpd-3.10.json',
    JSON.stringify({ peer: 'gobgpd 3.10.0 (Debian 12)', asn: 65041, messages: msgs }, null, 1) + '\n',
  );
  console.log(`gobgpd: ${msgs.length} messages`);
} finally {
  await g.close();
}

const b = new Bird({ address: '127.0.30.42', asn: 65042, peerAddress: ME, peerAs: 65040 });
await b.start();
try {
  const msgs = await capture('127.0.30.42', 1179, 65042, async () => {
    await b.setStatic([
      'protocol static cap_flow4 { flow4 { table flowtab4; }; route flow4 { dst 198.51.100.9/32; proto 17; sport 123; length >= 400; } { bgp_ext_community.add((generic, 0x80060000, 0x0)); }; }',
      'protocol static cap_flow6 { flow6 { table flowtab6; }; route flow6 { dst 2001:db8::9/128; next header 17; sport 53; } { bgp_ext_community.add((generic, 0x80060000, 0x461c4000)); }; }',
    ]);
  });
  writeFileSync(
    'test/fixtures/bgp/bird-2.0.12.json',
    JSON.stringify({ peer: 'BIRD 2.0.12 (Debian 12)', asn: 65042, messages: msgs }, null, 1) + '\n',
  );
  console.log(`bird: ${msgs.length} messages`);
} finally {
  await b.close();
}
