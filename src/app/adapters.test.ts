import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { buildAdapters } from './adapters.js';

describe('buildAdapters', () => {
  it('an adapter instance with enabled: false is not built (issue 10 item 7)', async () => {
    const config = configSchema.parse({
      adapters: {
        gobgp: [
          { name: 'kept-for-later', enabled: false },
          { name: 'in-use', enabled: true, target: '127.12.2.1:50051' },
        ],
        exabgp: [{ name: 'off', enabled: false }],
        bird: [{ name: 'bird-off' }],
      },
    });
    const { adapters } = buildAdapters(config, pino({ level: 'silent' }));
    expect(adapters.map((a) => a.name)).toEqual(['in-use']);
    for (const a of adapters) await a.close();
  });
});
