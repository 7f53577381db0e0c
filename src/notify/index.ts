// Notifications: wiring from the app (one call) and the port the HTTP API plugins use.
import type { Config } from '../config/schema.js';
import type { EventBus } from '../domain/events.js';
import type { StatusPagesConfig } from './config.js';
import { Notifier, type NotifierDeps, type NotifierLog } from './notifier.js';
import { policyOf, tenantDirectory, type TenantInfo } from './tenants.js';

export { Notifier } from './notifier.js';

/** What the API's notification and status-page routes need. */
export interface NotifyPort {
  readonly notifier: Notifier;
  /** Read on every request, so a config reload applies to status pages at once. */
  statusPages(): StatusPagesConfig;
  /** notifications.publicUrl: the base of absolute links in feeds (empty = from the request). */
  publicUrl(): string;
  tenant(name: string): TenantInfo | undefined;
  readonly now: () => number;
}

export async function startNotifications(
  config: () => Config,
  store: NotifierDeps['store'],
  bus: EventBus,
  log: NotifierLog,
): Promise<NotifyPort> {
  const c = config();
  const tenants = () => tenantDirectory(config());
  const notifier = await Notifier.start({
    config: c.notifications,
    bus,
    store,
    ownerOf: (t) => tenants().ownerOf(t),
    policyOf: (g) => policyOf(config(), g),
    log,
  });
  if (c.notifications.channels.length)
    log.info(
      { channels: c.notifications.channels.map((ch) => `${ch.name} (${ch.type})`) },
      'notification channels configured',
    );
  for (const slug of Object.keys(c.statusPages.tenants))
    if (!tenants().get(slug))
      log.warn(
        { tenant: slug },
        'statusPages names a tenant that mitigation.tenants does not have: its page answers 404',
      );
  return {
    notifier,
    statusPages: () => config().statusPages,
    publicUrl: () => config().notifications.publicUrl,
    tenant: (name) => tenants().get(name),
    now: Date.now,
  };
}
