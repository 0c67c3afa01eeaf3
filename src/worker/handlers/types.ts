// What a user's handler is given and may return (scompler-webhooks/worker).
import type { Logger } from '@temporalio/common'
import type {
  APP_UNINSTALLED,
  AppUninstalledData,
  EventResult,
  JsonValue,
  POSTING_SENT_TO_PUBLISH,
  PostingSentToPublishData,
  ScomplerEvent,
} from '../../domain'

/** The normalised `data` of each known event; other events' data as the sender gave it. */
export type DataFor<E extends string> = E extends typeof APP_UNINSTALLED
  ? AppUninstalledData
  : E extends typeof POSTING_SENT_TO_PUBLISH
    ? PostingSentToPublishData
    : Record<string, unknown>

/** The account's installation as the store has it when the handler runs. */
export interface HandlerInstallation {
  installationId: string
  accountId: string
  installedAt: Date | null
  /**
   * Decrypts the access token when asked, not before. Fails the run non-retryably when the store
   * has none (`TokenUnavailable`: uninstalled, or rejected) or cannot read it (`TokenUnreadable`).
   */
  accessToken(): Promise<string>
}

export interface HandlerContext<E extends string = string> {
  event: ScomplerEvent
  data: DataFor<E>
  /** The event id: handlers run at least once, so pass it on to make their effect happen once. */
  idempotencyKey: string
  /** The installation the store's step used, else the account's newest active one, if any. */
  installation?: HandlerInstallation
  /** What the store's own step did (outcome and details). */
  result: EventResult
  /** Aborted when Temporal cancels the attempt (a timeout seen through a heartbeat, shutdown). */
  signal: AbortSignal
  heartbeat(details?: unknown): void
  /** Temporal's activity logger (the run's ids are added). */
  log: Logger
  /** 1 for the first attempt. */
  attempt: number
}

export type Handler<E extends string = string> = (
  context: HandlerContext<E>,
) => Promise<JsonValue | void>
