// Generic signed webhook adapter (payload schema: docs/webhook.md): driver, renderer, signature helpers.
export { WebhookAdapter, type WebhookAdapterOptions } from './adapter.js';
export {
  render,
  sign,
  verify,
  WEBHOOK_SCHEMA_VERSION,
  type WebhookPayload,
  type WebhookEvent,
} from './render.js';
