// `scompler-webhooks`: what an app's API process imports to receive Scompler webhooks. It loads
// no worker, store or activities code (test/unit/package-entry.test.ts).
export {
  createWebhookHandler,
  createWebhookMiddleware,
  type WebhookLogger,
  type WebhookOptions,
} from '../http/webhook'
export {
  APP_UNINSTALLED,
  POSTING_SENT_TO_PUBLISH,
  WEBHOOK_PATH,
  type AppUninstalledData,
  type EventResult,
  type KnownEventName,
  type PostingSentToPublishData,
  type RunOptions,
  type ScomplerEvent,
} from '../domain'
export { signBody } from '../http/signature'
