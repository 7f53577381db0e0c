// Child process for bench/flow.bench.ts: sends `count` copies of a datagram (hex in argv) to host:port at
// `rate` datagrams/s, paced per millisecond, then prints {"sent":N,"seconds":S} and exits.
import dgram from 'node:dgram';

const [host = '127.0.10.1', portText = '0', rateText = '1000', countText = '1000', hex = ''] =
  process.argv.slice(2);
const port = Number(portText);
const rate = Number(rateText);
const count = Number(countText);
const payload = Buffer.from(hex, 'hex');
const s = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
let sent = 0;
let acked = 0;
const t0 = performance.now();

function tick(): void {
  const due = Math.min(count, Math.ceil(((performance.now() - t0) / 1000) * rate));
  while (sent < due) {
    sent++;
    s.send(payload, port, host, () => {
      acked++;
      if (acked === count) {
        process.stdout.write(
          JSON.stringify({ sent: acked, seconds: (performance.now() - t0) / 1000 }) + '\n',
        );
        s.close();
      }
    });
  }
  if (sent < count) setImmediate(tick);
}
tick();
