// Notification pipeline throughput: OpsEvents through classify → incidents → maintenance → routing →
// rate limit/digest, with in-memory repositories and a channel that only counts (no I/O), and the
// status page model + HTML for a tenant with 500 incidents of history.
import { EventBus, type OpsEvent } from '../src/domain/events.js';
import type { Rule } from '../src/domain/rule.js';
import { notificationsConfigSchema } from '../src/notify/config.js';
import { Notifier } from '../src/notify/notifier.js';
import { renderPage } from '../src/notify/status/html.js';
import { publicStatus } from '../src/notify/status/model.js';
import type { Channel } from '../src/notify/types.js';

function events(n: number, t0: number): OpsEvent[] {
  const out: OpsEvent[] = [];
  for (let i = 0; i < n; i++) {
    const target = `203.0.${113 + (i >> 8)}.${i & 255}/32`;
    const at = t0 + i;
    const attack = {
      attackId: `a${i}`,
      target,
      direction: 'incoming' as const,
      family: 'udp_flood' as const,
      reason: 'pps above threshold',
      node: 'edge-1',
      hostGroup: 'default',
      startedAt: at,
      pps: 1e5,
      bps: 1e9,
      peakPps: 1e5,
      peakBps: 1e9,
      severity: 5,
      signature: { coverage: 1 },
    };
    const audit = (action: 'announce' | 'withdraw') => ({
      type: 'audit' as const,
      at,
      record: {
        at,
        actor: 'engine',
        action,
        tenant: 'acme',
        target,
        ruleId: `r${i}`,
        dryRun: false,
        reason: 'level 1',
      },
    });
    out.push({ type: 'attack', at, event: { ...attack, kind: 'start', at } });
    out.push(audit('announce'));
    out.push({ type: 'attack', at, event: { ...attack, kind: 'end', at: at + 1 } });
    out.push(audit('withdraw'));
  }
  return out;
}

export async function run(): Promise<Record<string, number>> {
  let delivered = 0;
  const counting: Channel = {
    name: 'count',
    type: 'webhook',
    deliver: async () => {
      delivered++;
      return { ok: true, attempts: 1 };
    },
    close: async () => undefined,
  };
  const bus = new EventBus();
  const kv = new Map<string, string>();
  const notifier = await Notifier.start({
    config: notificationsConfigSchema.parse({
      channels: [{ type: 'webhook', name: 'count', url: 'http://127.16.0.9/' }],
    }),
    bus,
    store: {
      rules: { get: async (id) => ({ id, intent: 'rate-limit', level: 1 }) as Rule },
      state: { get: async (k) => kv.get(k), put: async (k, v) => void kv.set(k, v) },
    },
    ownerOf: () => 'acme',
    policyOf: () => 'default',
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    channels: [counting],
  });
  const list = events(5000, Date.now());
  const t = performance.now();
  for (const e of list) bus.publish(e);
  await notifier.idle();
  const ms = performance.now() - t;
  const incidents = await notifier.listIncidents({ limit: 10_000 });
  await notifier.stop();

  const page = { title: '', description: '', showAddresses: false };
  const history = incidents.slice(0, 500);
  const p0 = performance.now();
  const rounds = 50;
  for (let i = 0; i < rounds; i++)
    renderPage(publicStatus('acme', page, history, Date.now(), 90), 30, '/status');
  const pageMs = (performance.now() - p0) / rounds;
  return {
    notifyEventsPerSecond: Math.round(list.length / (ms / 1000)),
    notifyIncidents: incidents.length,
    notifyMessagesSent: delivered,
    statusPageRenderMsWith500Incidents: Number(pageMs.toFixed(2)),
  };
}
