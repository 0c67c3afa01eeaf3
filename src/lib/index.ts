// `scompler-webhooks`: what an app's API process imports to receive Scompler webhooks. It loads
// no worker, store or activities code (test/unit/package-entry.test.ts).
import { signPayload } from '../http/signature'

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

/** The X-Signature of `body`: hex HMAC-SHA256 of its exact bytes under the app secret. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return signPayload(secret, body)
}
