// FlowSpec NLRI codec throughput: encodes/s and decodes/s for a typical mitigation rule and a large
// one, plus text parse/format. Run: npx tsx bench/flowspec.bench.ts (prints JSON).
import { Bench } from 'tinybench';
import { decodeFlowSpecNlri, encodeFlowSpecNlri } from '../src/flowspec/nlri.js';
import { formatFlowSpec, parseFlowSpec } from '../src/flowspec/text.js';
import { validateFlowSpec } from '../src/flowspec/validate.js';
import { match as parse } from '../test/support/rules.js';

export async function run(): Promise<Record<string, number>> {
  const typicalText = 'flow4 dst 203.0.113.5/32 proto =17 sport =53 len >=512&<=1500';
  const typical = parse(typicalText);
  const large = parse(
    'flow6 dst 2001:db8:1:2::5/128 src 2001:db8:ff00::/40 next-header =6|=17 dport =53|=80|=123|=443|=8080 sport >=1024&<=65535 tcp-flags =syn&!ack len >=40&<=1500 dscp =0|=46 frag !is-fragment flow-label >=1&<=1048575',
  );
  const typicalWire = encodeFlowSpecNlri(typical);
  const largeWire = encodeFlowSpecNlri(large);
  const bench = new Bench({ time: 500 });
  bench
    .add('encode typical v4', () => encodeFlowSpecNlri(typical))
    .add('decode typical v4', () => decodeFlowSpecNlri(typicalWire, 0, 4))
    .add('encode large v6', () => encodeFlowSpecNlri(large))
    .add('decode large v6', () => decodeFlowSpecNlri(largeWire, 0, 6))
    .add('validate typical v4', () => validateFlowSpec(typical))
    .add('parse text typical v4', () => parseFlowSpec(typicalText))
    .add('format text typical v4', () => formatFlowSpec(typical));
  await bench.run();
  const hz = (name: string): number => {
    const t = bench.tasks.find((x) => x.name === name);
    const r = t?.result as { throughput?: { mean?: number }; hz?: number } | undefined;
    return Math.round(r?.throughput?.mean ?? r?.hz ?? 0);
  };
  return {
    nlriEncodesPerSecTypicalV4: hz('encode typical v4'),
    nlriDecodesPerSecTypicalV4: hz('decode typical v4'),
    nlriEncodesPerSecLargeV6: hz('encode large v6'),
    nlriDecodesPerSecLargeV6: hz('decode large v6'),
    validatesPerSecTypicalV4: hz('validate typical v4'),
    textParsesPerSecTypicalV4: hz('parse text typical v4'),
    textFormatsPerSecTypicalV4: hz('format text typical v4'),
    typicalNlriOctets: typicalWire.length,
    largeNlriOctets: largeWire.length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
