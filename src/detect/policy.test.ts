import { describe, expect, it } from 'vitest';
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import { ipToWords, parseIp } from '../net/index.js';
import { parseDetectionConfig, type DetectionConfigInput } from './config.js';
import { Detector } from './detector.js';
import { TimeDriver } from './driver.js';

const T0 = 1_700_000_000_000;

/** 2 s of steady traffic: `pps` packets per second from one source to each destination. */
function flood(
  cfg: DetectionConfigInput,
  dsts: string[],
  pps: number,
  opts: { src?: string; proto?: number; bytes?: number } = {},
) {
  const d = new Detector(parseDetectionConfig(cfg));
  const drv = new TimeDriver(d);
  const w = new Uint32Array(4);
  for (let t = 0; t < 2000; t += 100) {
    const b = new FlowBatch(dsts.length);
    for (const dst of dsts) {
      const i = b.next();
      const ip = parseIp(dst);
      b.family[i] = ip.family;
      ipToWords(ip, w, 0);
      b.dstAddr.set(w, i * 4);
      ipToWords(parseIp(opts.src ?? (ip.family === 4 ? '198.51.100.1' : '2001:db8:ffff::1')), w, 0);
      b.srcAddr.set(w, i * 4);
      b.proto[i] = opts.proto ?? 17;
      b.srcPort[i] = 5555;
      b.packets[i] = pps / 10;
      b.bytes[i] = (pps / 10) * (opts.bytes ?? 100);
      b.startMs[i] = T0 + t;
      b.endMs[i] = T0 + t + 100;
      b.format[i] = FORMAT_CODE.netflow5;
    }
    drv.feed(b, ['r']);
    drv.advanceTo(T0 + t + 100);
  }
  return drv.events.filter((e) => e.kind === 'start');
}

const base: DetectionConfigInput = {
  networks: ['203.0.113.0/24', '2001:db8::/32'],
  thresholds: { host: { incoming: { pps: 1000 } }, prefix: { incoming: { pps: 1e9 } } },
  hostGroups: [
    { name: 'web', networks: ['203.0.113.0/25'], host: { incoming: { pps: 5000 } } },
    { name: 'web-big', networks: ['203.0.113.0/26'], host: { incoming: { pps: 20_000 } } },
    { name: 'v6', networks: ['2001:db8:1::/48'], host: { incoming: { pps: 3000, udpPps: 2000 } } },
  ],
  hostOverrides: {
    '203.0.113.200': { incoming: { pps: 50_000 } },
    '2001:db8:1::7/128': { incoming: { udpPps: 10_000 } },
  },
};

describe('static thresholds: host groups by longest prefix, overrides, directions, totals', () => {
  it.each([
    ['203.0.113.10', 10_000, []], // /26 web-big: 20k
    ['203.0.113.10', 30_000, ['web-big']],
    ['203.0.113.70', 10_000, ['web']], // /25 only: 5k
    ['203.0.113.130', 2000, ['default']], // outside the groups: 1k
    ['203.0.113.200', 30_000, []], // override 50k
    ['2001:db8:1::5', 2500, ['v6']], // udpPps 2000 of the v6 group
    ['2001:db8:1::7', 2500, []], // override lifts udpPps to 10k, pps 3000 stays
    ['2001:db8:1::7', 3500, ['v6']],
    ['2001:db8:2::1', 1500, ['default']],
  ] as const)('%s at %i pps → %j', (dst, pps, groups) => {
    expect(flood(base, [dst], pps).map((e) => e.hostGroup)).toEqual(groups);
  });

  it('names the threshold that was crossed, in its unit', () => {
    const [e] = flood(
      { networks: ['203.0.113.0/24'], thresholds: { host: { incoming: { bps: 1e6 } } } },
      ['203.0.113.9'],
      2000,
    );
    expect(e!.reason).toMatch(/^incoming bps 1\.\d\dM > 1\.00M \(group default host threshold\)/);
    expect(e!.thresholdBps).toBe(1e6);
    expect(e!.thresholdPps).toBeUndefined();
  });

  it('outgoing thresholds apply to our sources only', () => {
    const cfg: DetectionConfigInput = {
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: {}, outgoing: { pps: 1000 } } },
    };
    expect(
      flood(cfg, ['198.51.100.20'], 5000, { src: '203.0.113.4' }).map((e) => [e.target, e.direction]),
    ).toEqual([['203.0.113.4/32', 'outgoing']]);
    expect(flood(cfg, ['203.0.113.4'], 5000)).toEqual([]);
  });

  it('a prefix total catches traffic spread thinly over many hosts (carpet bombing) and targets the /24', () => {
    const cfg: DetectionConfigInput = {
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: { pps: 1000 } }, prefix: { incoming: { pps: 20_000 } } },
    };
    const dsts = Array.from({ length: 50 }, (_, k) => `203.0.113.${k + 1}`);
    const s = flood(cfg, dsts, 500);
    expect(s.map((e) => [e.target, e.family])).toEqual([['203.0.113.0/24', 'carpet_bombing']]);
  });

  it('a group total catches what no single prefix crosses', () => {
    const cfg: DetectionConfigInput = {
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: {} }, prefix: { incoming: {} } },
      hostGroups: [
        {
          name: 'edge',
          networks: ['203.0.113.0/24', '198.51.100.0/24'],
          total: { incoming: { pps: 30_000 } },
        },
      ],
    };
    const dsts = [
      ...Array.from({ length: 20 }, (_, k) => `203.0.113.${k + 1}`),
      ...Array.from({ length: 20 }, (_, k) => `198.51.100.${k + 1}`),
    ];
    const s = flood(cfg, dsts, 1000, { src: '192.0.2.77' });
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ hostGroup: 'edge', family: 'carpet_bombing' });
    expect(['203.0.113.0/24', '198.51.100.0/24']).toContain(s[0]!.target);
  });

  it('a single host over a prefix threshold is that host’s attack, not a prefix attack', () => {
    const cfg: DetectionConfigInput = {
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: { pps: 5000 } }, prefix: { incoming: { pps: 4000 } } },
    };
    expect(flood(cfg, ['203.0.113.9'], 10_000).map((e) => e.target)).toEqual(['203.0.113.9/32']);
  });

  it('rejects a bad config with the key path', () => {
    expect(() => parseDetectionConfig({ thresholds: { host: { incoming: { pps: -1 } } } })).toThrow(
      /thresholds.*host.*incoming.*pps|pps/,
    );
    expect(() => parseDetectionConfig({ window: 5 })).toThrow();
    expect(() => parseDetectionConfig({ bogus: 1 })).toThrow(/bogus/);
  });
});
