// Contract tests: the real Notifier, fed attack events on a real event bus, delivers to local stand-ins
// of PagerDuty, Slack, Discord, Teams, Telegram, Opsgenie and a signed webhook; each stand-in checks the
// vendor's documented request shape and limits and answers like the vendor (an error when broken).
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/adapters/webhook/render.js';
import { MemoryIncidents } from '../../src/notify/memory-repos.js';
import { FAST_RETRY, GENIE_KEY, PD_KEY, TG_TOKEN, attackLife, harness, rule } from './harness.js';
import * as vendors from './vendor-contracts.js';
import { VendorServer } from './vendor-server.js';

const HOST = '127.16.0.1';
const T = '203.0.113.10/32';
/** A reason far past every service's limits, so every renderer has to cut. */
const HUGE = 'reflection from 8,000 open resolvers <b>&amp; more</b> '.repeat(600);

const servers: VendorServer[] = [];
async function serve(v: Parameters<typeof VendorServer.start>[1]): Promise<VendorServer> {
  const s = await VendorServer.start(HOST, v);
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('PagerDuty Events API v2', () => {
  it('one dedup key per incident: trigger, acknowledge through the API, resolve when the rule is withdrawn', async () => {
    const pd = await serve(vendors.pagerduty);
    const h = await harness({
      channels: [
        { type: 'pagerduty', name: 'pd', routingKey: PD_KEY, url: `${pd.url}/v2/enqueue`, retry: FAST_RETRY },
      ],
    });
    h.rules.set('r1', rule('r1', T));
    const [start, announce, end, withdraw] = attackLife(T, 1_000_000, 'r1', HUGE);
    h.bus.publish(start!);
    h.bus.publish(announce!);
    await h.notifier.idle();
    const [incident] = await h.notifier.listIncidents({});
    expect(await h.notifier.operate(incident!.id, 'acknowledge', 'alice')).toMatchObject({
      state: 'acknowledged',
    });
    h.bus.publish(end!);
    h.bus.publish(withdraw!);
    await h.notifier.idle();

    expect(pd.problems()).toEqual([]);
    const bodies = pd.requests.map(
      (r) => r.json as { event_action: string; dedup_key: string; payload?: { summary: string } },
    );
    expect(bodies.map((b) => b.event_action)).toEqual([
      'trigger',
      'trigger',
      'acknowledge',
      'trigger',
      'resolve',
    ]);
    expect(new Set(bodies.map((b) => b.dedup_key))).toEqual(new Set([`floodgate-${incident!.id}`]));
    expect(bodies[0]!.payload!.summary).toContain('DNS amplification attack on 203.0.113.10/32');
    expect(await h.notifier.listDeadLetters()).toEqual([]);
    await h.notifier.stop();
  });

  it('after a restart, the resolve still follows a trigger sent before it, past a critical-only filter', async () => {
    const pd = await serve(vendors.pagerduty);
    const channels = [
      {
        type: 'pagerduty',
        name: 'pd',
        routingKey: PD_KEY,
        url: `${pd.url}/v2/enqueue`,
        minSeverity: 'critical',
        retry: FAST_RETRY,
      },
    ];
    const incidents = new MemoryIncidents(); // the store both processes share
    const [start, announce, end, withdraw] = attackLife(T, 1_000_000, 'r1');
    const first = await harness({ channels }, undefined, incidents);
    first.bus.publish(start!); // critical: sent
    first.bus.publish(announce!); // warning: filtered
    await first.notifier.stop();
    const second = await harness({ channels }, undefined, incidents);
    second.bus.publish(end!);
    second.bus.publish(withdraw!); // info, but it resolves an incident PagerDuty knows
    await second.notifier.idle();
    expect(pd.problems()).toEqual([]);
    expect(pd.requests.map((r) => (r.json as { event_action: string }).event_action)).toEqual([
      'trigger',
      'resolve',
    ]);
    await second.notifier.stop();
  });

  it('an incident that goes quiet with nothing in place resolves itself and closes the PagerDuty incident', async () => {
    const pd = await serve(vendors.pagerduty);
    let now = 1_000_000;
    const h = await harness(
      {
        channels: [
          {
            type: 'pagerduty',
            name: 'pd',
            routingKey: PD_KEY,
            url: `${pd.url}/v2/enqueue`,
            retry: FAST_RETRY,
          },
        ],
      },
      () => now,
    );
    h.bus.publish(attackLife(T, now, 'r1')[0]!); // the end is never seen
    await h.notifier.idle();
    now += 30 * 60_000;
    h.notifier.sweep();
    await h.notifier.idle();
    expect(await h.notifier.listIncidents({ states: ['open'] })).toHaveLength(1);
    now += 31 * 60_000;
    h.notifier.sweep();
    await h.notifier.idle();
    const [i] = await h.notifier.listIncidents({});
    expect(i).toMatchObject({ state: 'resolved', resolvedBy: 'floodgate' });
    expect(pd.requests.map((r) => (r.json as { event_action: string }).event_action)).toEqual([
      'trigger',
      'resolve',
    ]);
    await h.notifier.stop();
  });

  it('a refused event (wrong routing key) ends in the dead-letter list with the vendor error', async () => {
    const pd = await serve(vendors.pagerduty);
    const h = await harness({
      channels: [
        {
          type: 'pagerduty',
          name: 'pd',
          routingKey: 'short',
          url: `${pd.url}/v2/enqueue`,
          retry: FAST_RETRY,
        },
      ],
    });
    h.bus.publish(attackLife(T, 1_000_000, 'r1')[0]!);
    await h.notifier.idle();
    expect(pd.requests).toHaveLength(1); // 400 is final: no retry
    const [dead] = await h.notifier.listDeadLetters();
    expect(dead).toMatchObject({ channel: 'pd', attempts: 1 });
    expect(dead!.error).toContain('invalid event');
    await h.notifier.stop();
  });
});

describe('chat and alerting services keep within their documented limits', () => {
  it('Slack, Discord, Teams, Telegram and Opsgenie accept every message of an attack with an oversized reason', async () => {
    const [sl, dc, tm, tg, og] = await Promise.all(
      [vendors.slack, vendors.discord, vendors.teams, vendors.telegram, vendors.opsgenie].map(serve),
    );
    const h = await harness({
      runbooks: { default: 'https://runbooks.example/ddos?x=1&y=2' },
      channels: [
        { type: 'slack', name: 'slack', url: `${sl!.url}/services/T000/B000/XXXX`, retry: FAST_RETRY },
        { type: 'discord', name: 'discord', url: `${dc!.url}/api/webhooks/1/tok`, retry: FAST_RETRY },
        {
          type: 'teams',
          name: 'teams',
          url: `${tm!.url}/workflows/abc/triggers/manual/paths/invoke`,
          retry: FAST_RETRY,
        },
        {
          type: 'telegram',
          name: 'tg',
          botToken: TG_TOKEN,
          chatId: '-1001234567890',
          url: tg!.url,
          retry: FAST_RETRY,
        },
        { type: 'opsgenie', name: 'og', apiKey: GENIE_KEY, url: og!.url, retry: FAST_RETRY },
      ],
    });
    h.rules.set('r1', rule('r1', T));
    const [start, announce, end, withdraw] = attackLife(T, 1_000_000, 'r1', HUGE);
    h.bus.publish(start!);
    h.bus.publish(announce!);
    await h.notifier.idle();
    const [incident] = await h.notifier.listIncidents({});
    await h.notifier.operate(incident!.id, 'acknowledge', 'alice', 'looking at it');
    h.bus.publish(end!);
    h.bus.publish(withdraw!);
    await h.notifier.idle();

    for (const s of [sl, dc, tm, tg, og]) {
      expect(s!.problems()).toEqual([]);
      expect(s!.requests.length).toBe(5);
    }
    expect(await h.notifier.listDeadLetters()).toEqual([]);
    // the oversized text was cut to each limit, not dropped
    const slackSection = (sl!.requests[0]!.json as { blocks: { type: string; text?: { text: string } }[] })
      .blocks[1]!;
    expect(slackSection.text!.text.length).toBe(3000);
    const embed = (dc!.requests[0]!.json as { embeds: { description: string }[] }).embeds[0]!;
    expect(embed.description.length).toBeGreaterThan(3000);
    expect(Buffer.byteLength(tm!.requests[0]!.raw)).toBeGreaterThan(10_000);
    // Opsgenie: alerts created under the incident alias, acknowledged and closed by alias
    const paths = og!.requests.map((r) => `${r.path}?${r.query.toString()}`);
    const alias = encodeURIComponent((og!.requests[0]!.json as { alias: string }).alias);
    expect(alias).toBe(`floodgate-${incident!.id}`);
    expect(paths).toEqual([
      '/v2/alerts?',
      '/v2/alerts?',
      `/v2/alerts/${alias}/acknowledge?identifierType=alias`,
      '/v2/alerts?',
      `/v2/alerts/${alias}/close?identifierType=alias`,
    ]);
    await h.notifier.stop();
  });

  it('retries a 429 (honouring Retry-After) and a 500, then delivers once', async () => {
    const sl = await serve(vendors.slack);
    sl.scripted.push(
      { status: 429, body: 'rate_limited', headers: { 'retry-after': '0' } },
      { status: 500, body: 'oops' },
    );
    const h = await harness({
      channels: [{ type: 'slack', name: 'slack', url: `${sl.url}/hook`, retry: FAST_RETRY }],
    });
    h.bus.publish(attackLife(T, 1_000_000, 'r1')[0]!);
    await h.notifier.idle();
    expect(sl.requests.map((r) => r.raw)).toHaveLength(3);
    expect(new Set(sl.requests.map((r) => r.raw)).size).toBe(1); // the same message each time
    expect(h.notifier.stats()).toMatchObject({ channels: { slack: { sent: 1, failed: 0 } } });
    await h.notifier.stop();
  });

  it('a Telegram delivery that fails every attempt is dead-lettered and can be resent from the list', async () => {
    const tg = await serve(vendors.telegram);
    tg.scripted.push(
      { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } },
      { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } },
      { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } },
    );
    const h = await harness({
      channels: [
        { type: 'telegram', name: 'tg', botToken: TG_TOKEN, chatId: '@noc', url: tg.url, retry: FAST_RETRY },
      ],
    });
    h.bus.publish(attackLife(T, 1_000_000, 'r1')[0]!);
    await h.notifier.idle();
    const [dead] = await h.notifier.listDeadLetters();
    expect(dead).toMatchObject({ channel: 'tg', attempts: 3 });
    expect(await h.notifier.retryDeadLetter(dead!.id!)).toEqual({ ok: true });
    expect(await h.notifier.listDeadLetters()).toEqual([]);
    expect(tg.problems()).toEqual([]);
    expect((tg.requests.at(-1)!.json as { text: string }).text).toContain(
      '<b>DNS amplification attack on 203.0.113.10/32',
    );
    await h.notifier.stop();
  });
});

describe('signed webhook and maintenance windows', () => {
  it('signs every notification as docs/webhook.md describes', async () => {
    const wh = await serve(vendors.anyJson);
    const h = await harness({
      channels: [{ type: 'webhook', name: 'wh', url: `${wh.url}/hook`, secret: 's3cret', retry: FAST_RETRY }],
    });
    for (const e of attackLife(T, 1_000_000, 'r1')) h.bus.publish(e);
    await h.notifier.idle();
    expect(wh.requests).toHaveLength(4);
    for (const r of wh.requests) {
      const v = verify(
        's3cret',
        String(r.headers['x-floodgate-signature']),
        r.raw,
        Math.floor(Date.now() / 1000),
      );
      expect(v.ok).toBe(true);
      expect(r.headers['x-floodgate-event']).toBe('notification');
      expect((r.json as { id: string }).id).toBe(r.headers['x-floodgate-delivery']);
    }
    const last = wh.requests.at(-1)!.json as {
      notice: { kind: string; incidentEffect: string };
      incident: { state: string };
    };
    expect(last.notice).toMatchObject({ kind: 'rule.withdraw', incidentEffect: 'resolved' });
    expect(last.incident.state).toBe('resolved');
    await h.notifier.stop();
  });

  it('mutes notices for targets under maintenance but still records the incident', async () => {
    const wh = await serve(vendors.anyJson);
    const h = await harness({
      maintenance: [
        {
          name: 'edge upgrade',
          targets: ['203.0.113.0/24'],
          start: '2000-01-01T00:00:00Z',
          end: '2100-01-01T00:00:00Z',
        },
      ],
      channels: [{ type: 'webhook', name: 'wh', url: `${wh.url}/hook`, retry: FAST_RETRY }],
    });
    for (const e of attackLife(T, Date.now(), 'r1')) h.bus.publish(e);
    h.bus.publish({ type: 'adapter', at: Date.now(), adapter: 'gobgp', state: 'down' }); // not covered: sent
    await h.notifier.idle();
    expect(wh.requests.map((r) => (r.json as { notice: { kind: string } }).notice.kind)).toEqual([
      'adapter.down',
    ]);
    const incidents = await h.notifier.listIncidents({ tenant: 'acme' });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.timeline.every((e) => e.muted)).toBe(true);
    await h.notifier.stop();
  });
});
