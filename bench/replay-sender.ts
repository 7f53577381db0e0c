// Child process for bench/ingest.bench.ts: replays the UDP payloads of a real exporter capture (pcap) to
// host:port at `rate` datagrams/s for `seconds`, cycling through the capture in order (so its template
// datagrams are re-sent once per cycle), paced per millisecond. Bounded by count and time. Prints
// {"sent":N,"seconds":S} on exit. Its own process, so the collector under test keeps its core.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { udpOf } from '../src/flow/capture.js';
import { readCapture } from '../src/flow/pcap.js';

const [host = '127.21.1.1', portText = '0', pcap = '', rateText = '1000', secondsText = '1'] =
  process.argv.slice(2);
const port = Number(portText);
const rate = Number(rateText);
const seconds = Number(secondsText);
const payloads = readCapture(readFileSync(pcap))
  .packets.map(udpOf)
  .filter((u) => u !== undefined)
  .map((u) => Buffer.from(u.payload));
if (payloads.length === 0) throw new Error(`${pcap}: no UDP datagrams`);
const count = Math.round(rate * seconds);
const s = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
let sent = 0;
let done = 0;
let ok = 0;
const t0 = performance.now();
const finish = () => {
  process.stdout.write(JSON.stringify({ sent: ok, seconds: (performance.now() - t0) / 1000 }) + '\n');
  s.close();
};
const onSent = (err: Error | null) => {
  if (!err) ok++;
  if (++done === count) finish();
};

s.bind(0, '127.21.1.2', () => {
  const tick = (): void => {
    const elapsed = (performance.now() - t0) / 1000;
    // never more than 2 s past the planned duration: a slow machine sends less, not longer
    const due = elapsed > seconds + 2 ? count : Math.min(count, Math.ceil(elapsed * rate));
    if (elapsed > seconds + 2 && sent < count) {
      done += count - sent;
      sent = count;
      if (done === count) finish();
      return;
    }
    while (sent < due) s.send(payloads[sent++ % payloads.length] as Buffer, port, host, onSent);
    if (sent < count) setImmediate(tick);
  };
  tick();
});
