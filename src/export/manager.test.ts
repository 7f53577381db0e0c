// ExportManager imports a sink kind's module (undici for the HTTP sinks, kafkajs for Kafka) only when a
// sink of that kind is configured (docs/performance.md "Memory"), on start and on reload.
import { describe, expect, it } from 'vitest';
import { exportsConfigSchema } from './config.js';
import { ExportManager, SINK_MODULES, type SinkModules } from './manager.js';

function recording(broken?: keyof SinkModules) {
  const loaded: string[] = [];
  const modules = Object.fromEntries(
    (Object.keys(SINK_MODULES) as (keyof SinkModules)[]).map((k) => [
      k,
      () => {
        loaded.push(k);
        return k === broken ? Promise.reject(new Error('Cannot find package')) : SINK_MODULES[k]();
      },
    ]),
  ) as unknown as SinkModules;
  return { modules, loaded };
}

const splunk = { name: 'siem', url: 'http://127.0.93.1:8088', token: 'x' };

describe('ExportManager module loading', () => {
  it('the default exports config loads no sink module', async () => {
    const { modules, loaded } = recording();
    const m = await ExportManager.create(exportsConfigSchema.parse({}), { node: 'n' }, modules);
    expect(m.sinks).toEqual([]);
    expect(loaded).toEqual([]);
    await m.close();
  });

  it('loads a kind when a sink of it is configured, at start or on reload, once', async () => {
    const { modules, loaded } = recording();
    const m = await ExportManager.create(exportsConfigSchema.parse({}), { node: 'n' }, modules);
    const out = await m.reload(exportsConfigSchema.parse({ splunk: [splunk] }));
    expect(out.added).toEqual(['splunk/siem']);
    await m.reload(exportsConfigSchema.parse({ splunk: [{ ...splunk, name: 'siem2' }] }));
    expect(loaded).toEqual(['splunk']);
    await m.close(0);
  });

  it('names the section and package of a sink whose module cannot be loaded', async () => {
    const { modules } = recording('kafka');
    const cfg = exportsConfigSchema.parse({ kafka: [{ name: 'k', brokers: ['127.0.93.1:9092'] }] });
    await expect(ExportManager.create(cfg, { node: 'n' }, modules)).rejects.toThrow(
      'exports.kafka: could not load its module (npm package "kafkajs"): Cannot find package',
    );
  });
});
