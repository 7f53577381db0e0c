// The shipped receiver-side schemas cover every field floodgate sends: the Elasticsearch index template
// is `dynamic: strict` (an unmapped field would be refused) and the Sentinel DCR stream drops undeclared
// columns, so a field added to ExportEvent without a mapping fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventDocument, type ExportEvent } from '../../src/export/event.js';
import { sentinelRow } from '../../src/export/sentinel.js';

const full: Required<ExportEvent> = {
  id: 'x',
  at: 1,
  node: 'n',
  category: 'attack',
  action: 'start',
  title: 't',
  severity: 5,
  reason: 'r',
  target: '203.0.113.5/32',
  family: 'udp_flood',
  attackId: 'a',
  ruleId: 'r',
  tenant: 't',
  adapter: 'a',
  peer: 'p',
  exporter: 'e',
  actor: 'engine',
  dryRun: false,
  pps: 1,
  bps: 2,
  peakPps: 3,
  peakBps: 4,
  sources: ['198.51.100.0/24'],
  protocols: [17],
  destinationPorts: [53],
  startedAt: 0,
};

const docs = (p: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../docs', p), 'utf8')) as unknown;

describe('receiver schemas in docs/', () => {
  it('the Elasticsearch index template maps every document field', () => {
    const t = docs('elastic/index-template.json') as {
      template: { mappings: { dynamic: string; properties: Record<string, unknown> } };
    };
    expect(t.template.mappings.dynamic).toBe('strict');
    const mapped = Object.keys(t.template.mappings.properties).sort();
    expect(Object.keys(eventDocument(full)).sort()).toEqual(mapped);
  });

  it('the Sentinel DCR stream declares every row column', () => {
    const d = docs('sentinel/dcr-stream.json') as {
      streamDeclarations: Record<string, { columns: { name: string }[] }>;
    };
    const cols = d.streamDeclarations['Custom-Floodgate_CL']!.columns.map((c) => c.name).sort();
    expect(Object.keys(sentinelRow(full)).sort()).toEqual(cols);
  });

  it('the Wazuh rules use only fields the JSON payload carries', () => {
    const rules = readFileSync(join(import.meta.dirname, '../../docs/wazuh/floodgate_rules.xml'), 'utf8');
    const used = new Set([
      ...[...rules.matchAll(/<field name="([^"]+)">/g)].map((m) => m[1]!),
      ...[...rules.matchAll(/\$\(([a-zA-Z]+)\)/g)].map((m) => m[1]!),
    ]);
    const fields = new Set(Object.keys(eventDocument(full)));
    expect([...used].filter((f) => !fields.has(f))).toEqual([]);
    expect(used.size).toBeGreaterThan(5);
  });
});
