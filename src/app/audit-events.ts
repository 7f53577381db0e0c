// Every audit record the engine, API or reload writes is also published on the event bus once the
// store has accepted it, so exports and notifications see exactly what the audit log holds.
import type { EventBus } from '../domain/events.js';
import type { Store } from '../domain/store-port.js';

export function publishingAudit(store: Store, bus: EventBus): Store {
  const audit = store.audit;
  return {
    // every other repository passes through unchanged
    ...store,
    close: () => store.close(),
    audit: {
      query: (q) => audit.query(q),
      verify: () => audit.verify(),
      append: async (record) => {
        const id = await audit.append(record);
        bus.publish({ type: 'audit', at: record.at, record: { ...record, id } });
        return id;
      },
    },
  };
}
