// `floodgate init` writes a config that acts on what the operator's network can show: with one router
// exporting flows, that router's report is all the corroboration there is (docs/engine.md, Confidence).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../config/load.js';
import { confidence } from '../../mitigation/confidence.js';
import { type InitAnswers, initConfig, initYaml } from './answers.js';

const BASE: InitAnswers = {
  networks: ['203.0.113.0/24'],
  exporters: [{ address: '198.51.100.1', sampling: 1000 }],
  mitigator: 'bgp',
  routers: [{ address: '198.51.100.1', asn: 64500 }],
  localAs: 64512,
  routerId: '198.51.100.10',
  apiHost: '127.0.0.1',
  apiToken: 'x'.repeat(32),
};

const load = (a: InitAnswers) =>
  validateConfig(parse(initYaml(a)) as Record<string, unknown>, 'init', {}).config;

describe('floodgate init: confidence for the routers it was told about', () => {
  it('one exporter: a 2x flood seen by that one router clears the default 0.65', () => {
    const cfg = load(BASE);
    expect(cfg.mitigation.confidence.corroborationFull).toBe(1);
    expect(confidence(2, 1, 'udp_flood', cfg.mitigation.confidence).score).toBeGreaterThanOrEqual(
      cfg.mitigation.confidence.threshold,
    );
    expect(initYaml(BASE)).toMatch(/One exporter: mitigation\.confidence\.corroborationFull is 1/);
  });

  it('two exporters (or none listed) keep the default: one router alone is half the corroboration', () => {
    const two = { ...BASE, exporters: [...BASE.exporters, { address: '198.51.100.2' }] };
    for (const a of [two, { ...BASE, exporters: [] }]) {
      expect((initConfig(a).mitigation as Record<string, unknown>).confidence).toBeUndefined();
      const cfg = load(a);
      expect(cfg.mitigation.confidence.corroborationFull).toBe(2);
      expect(confidence(2, 1, 'udp_flood', cfg.mitigation.confidence).score).toBeLessThan(
        cfg.mitigation.confidence.threshold,
      );
    }
  });
});
