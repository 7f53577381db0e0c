// Any packing against Debian's gobgp API protos (golang-github-osrg-gobgp-dev): what we render is
// what gobgpd decodes, including nested Any lists and all-default payloads (rate 0).
import { describe, expect, it } from 'vitest';
import { gobgpConfigSchema } from '../config-daemons.js';
import { v4Blackhole, v4Drop } from '../../../test/adapters/daemons/harness/rules.js';
import { loadGobgpProtos } from './proto.js';
import { renderGobgpPath } from './render.js';

const cfg = gobgpConfigSchema.parse({});

describe('gobgp proto Any codec', () => {
  const protos = loadGobgpProtos(cfg.protoDir);

  it.each([v4Drop, v4Blackhole])('round-trips the rendered path of %#', (rule) => {
    const p = renderGobgpPath(rule, cfg);
    expect(protos.unpack(protos.pack(p.nlri))).toEqual(p.nlri);
    for (const a of p.pattrs) expect(protos.unpack(protos.pack(a))).toEqual(a);
  });

  it('names the missing Debian package when the protos are absent', () => {
    expect(() => loadGobgpProtos('/nonexistent')).toThrow(/golang-github-osrg-gobgp-dev/);
  });

  it('refuses a field the message does not have', () => {
    expect(() => protos.pack({ '@type': 'OriginAttribute', origin: 'x' })).toThrow(/apipb.OriginAttribute/);
  });
});
