// Long fuzz run of the flow decoders (issue 3): per format, N datagrams (default 1,000,000), half random with
// the version prefix, half mutations of real exporter and hand-built datagrams. Fails (exit 1) on any throw,
// malformed record or unknown error kind and prints the offending datagram as hex; prints JSON stats.
// Usage: npx tsx scripts/fuzz-flow.ts [--n 1000000] [--seed 1] [--format ipfix]
import { FORMATS, FuzzTarget, mutate, prng, randomDatagram, seeds } from '../test/flow/fuzz-core.js';

const arg = (name: string, dflt: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? (process.argv[k + 1] ?? dflt) : dflt;
};
const n = Number(arg('n', '1000000'));
const seed = Number(arg('seed', '1'));
const only = arg('format', '');
const all = seeds();
const report: Record<string, unknown> = {};
let failed = false;

for (const format of FORMATS) {
  if (only && only !== format) continue;
  const r = prng(seed);
  const t = new FuzzTarget(format);
  const s = all[format];
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    const d = k % 2 === 0 ? randomDatagram(format, r) : mutate(s[Math.floor(r() * s.length)]!, r);
    try {
      t.run(d);
    } catch (e) {
      failed = true;
      console.error(`${format}: ${(e as Error).message} on datagram ${k}: ${Buffer.from(d).toString('hex')}`);
      break;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  report[format] = {
    runs: t.runs,
    seconds: +secs.toFixed(1),
    records: t.exp.records,
    results: Object.fromEntries(t.kinds),
  };
}
console.log(JSON.stringify(report, null, 1));
process.exitCode = failed ? 1 : 0;
