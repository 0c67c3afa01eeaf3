// Pure types and constants shared by the API, the worker, activities and workflows.
// Workflows import this file, so it must stay free of I/O, Node built-ins and zod.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'

export const WEBHOOK_PATH = '/webhooks/scompler'
export const SIGNATURE_HEADER = 'x-signature'
export const DEFAULT_TASK_QUEUE = 'scompler-webhooks'

/** Filters in the Temporal Web UI: `ScomplerEvent = "app.uninstalled"`, `ScomplerAccountId = "42"`. */
export const SCOMPLER_EVENT = defineSearchAttributeKey('ScomplerEvent', SearchAttributeType.KEYWORD)
export const SCOMPLER_ACCOUNT_ID = defineSearchAttributeKey(
  'ScomplerAccountId',
  SearchAttributeType.KEYWORD,
)
export const SEARCH_ATTRIBUTE_KEYS = [SCOMPLER_EVENT, SCOMPLER_ACCOUNT_ID]

export const APP_UNINSTALLED = 'app.uninstalled'
export const POSTING_SENT_TO_PUBLISH = 'posting.sent_to_publish'

export const WORKFLOW_TYPES = {
  [APP_UNINSTALLED]: 'appUninstalled',
  [POSTING_SENT_TO_PUBLISH]: 'postingSentToPublish',
} as const
export const UNHANDLED_EVENT_WORKFLOW = 'unhandledEvent'
/**
 * Hands an event recorded earlier (by unhandledEvent, with no handler then) to the handler
 * registered since. Its workflow id and ledger id are derived from the event id
 * (`handOverId`), so the event's own completed id never runs again, and each event is handed
 * over once under the same id policy.
 */
export const HAND_OVER_WORKFLOW = 'handOverEvent'

export function handOverId(eventId: string): string {
  return `${eventId}/handler`
}
type WorkflowType =
  (typeof WORKFLOW_TYPES)[keyof typeof WORKFLOW_TYPES] | typeof UNHANDLED_EVENT_WORKFLOW

export type KnownEventName = keyof typeof WORKFLOW_TYPES

export function isKnownEvent(event: string): event is KnownEventName {
  return Object.hasOwn(WORKFLOW_TYPES, event)
}

export function workflowTypeFor(event: string): WorkflowType {
  return isKnownEvent(event) ? WORKFLOW_TYPES[event] : UNHANDLED_EVENT_WORKFLOW
}

/** Failure types that workflows and activities agree on (shown in the Web UI). */
export const FAILURE = {
  invalidEventData: 'InvalidEventData',
  claimLost: 'ClaimLost',
  storeRejected: 'StoreRejected',
  /** A handler threw HandlerFailure: the run fails at once, replayable after a fix. */
  handlerFailure: 'HandlerFailure',
  /** A handler threw something that is not an Error (retried like any other failure). */
  handlerThrewNonError: 'HandlerThrewNonError',
  /** A handler asked for a token the store no longer has (uninstalled, or rejected). */
  tokenUnavailable: 'TokenUnavailable',
  /** An event was handed over to a worker without a handler for its type. */
  noHandler: 'NoHandler',
} as const

/** A verified webhook, normalised once at the edge. The workflow id is `id`, unchanged. */
export interface ScomplerEvent {
  id: string
  event: string
  /** Decimal string, so ids beyond 2^53 survive. */
  accountId: string
  data: Record<string, unknown>
  /** ISO 8601, UTC. */
  occurredAt: string
}

export interface AppUninstalledData {
  installationId: string
  deleteRelatedData: boolean
}

export interface PostingSentToPublishData {
  postingId: string
  serviceId: string
}

export type Outcome = 'completed' | 'skipped' | 'duplicate'

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** What a run did, as its workflow result. Never holds a token or the raw payload. */
export interface EventResult {
  eventId: string
  event: string
  outcome: Outcome
  /** Why a run was skipped or treated as a duplicate. */
  reason?: string
  /** Facts of the work done, e.g. `{ tokensRemoved: 1, relatedRowsDeleted: 3 }`. */
  details?: Record<string, string | number | boolean>
  /** The user's handler that ran after the store's own step, and what it returned. */
  handler?: { activity: string; result?: JsonValue }
}

/** Handler activities are named after their event type: `handle:posting.sent_to_publish`. */
export function handlerActivityName(event: string): string {
  return `handle:${event}`
}

/** A duration as Temporal takes it: milliseconds, or a string such as '30s' or '1 minute'. */
export type Duration = string | number

/** A handler's activity options, as plain JSON (they are recorded in the run's history). */
export interface HandlerActivityOptions {
  startToCloseTimeout: Duration
  scheduleToCloseTimeout: Duration
  heartbeatTimeout?: Duration
  retry: {
    initialInterval?: Duration
    backoffCoefficient?: number
    maximumInterval?: Duration
    maximumAttempts?: number
    nonRetryableErrorTypes?: string[]
  }
}

/**
 * Whether a handler is registered for an event, and how to run it: decided by the worker that
 * claims the event and recorded in history as the claim's result, so a run in flight keeps it
 * whatever the handlers registered later.
 */
export interface HandlerPlan {
  activity: string
  options: HandlerActivityOptions
}

/** What a handler activity is given: the event and what the store's own step did. */
export interface HandlerInput {
  event: ScomplerEvent
  result: EventResult
}

/** What a run may be started with besides its event (the workflows' optional second argument). */
export interface RunOptions {
  /**
   * How long store work is retried (capped backoff) before the run fails: the store activities'
   * scheduleToClose, e.g. the namespace retention minus a margin, so work is retried for as long
   * as the history lives. A duration string ('3d', '10s') or milliseconds. It is part of the
   * run's recorded input, so a replay sees the same value. Unset (and in every history recorded
   * before it existed): 30 minutes.
   */
  storeRetryWindow?: string | number
}
