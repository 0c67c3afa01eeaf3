// Starting a run per event. The event id is the workflow id, so Temporal itself refuses a second
// run of a running or completed event; the ledger (activities) covers what outlives retention.
// The client part only: the package's root also loads the worker and its native core bridge,
// which the API (and Deno without --allow-ffi) must not need.
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js'
import {
  Client,
  Connection,
  type WorkflowClientInterceptor,
  type WorkflowStartOptions,
} from '@temporalio/client'
import type { TemporalConfig } from '../config'
import { SCOMPLER_ACCOUNT_ID, SCOMPLER_EVENT, workflowTypeFor, type ScomplerEvent } from '../domain'

/** Starts (and describes, signals…) workflows inside the caller's span. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return [new OpenTelemetryWorkflowClientInterceptor()]
}

/** A start that takes longer is answered 503 so the sender redelivers later. */
export const START_TIMEOUT_MS = 5000

export type StartOutcome =
  | { status: 'accepted'; workflowId: string; runId: string }
  | { status: 'duplicate'; workflowId: string }

export type StartEvent = (event: ScomplerEvent) => Promise<StartOutcome>

/** Temporal could not be reached or refused the start; `cause` holds the detail for logs. */
export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError'
}

/**
 * Connects on first use (and reconnects by itself), so the API boots and stays up while Temporal
 * is down. Without the SDK's gRPC retry interceptor: its retries outlive the caller's deadline and
 * would keep piling up during an outage; `createEventStarter` retries within START_TIMEOUT_MS.
 * The tracing interceptor only while tracing is on: off, it would do span work for nothing.
 */
export function createLazyClient(
  config: TemporalConfig,
  options: { tracing?: boolean } = {},
): Client {
  return new Client({
    connection: Connection.lazy({ ...config.connection, interceptors: [] }),
    namespace: config.namespace,
    interceptors: { workflow: options.tracing ? tracingClientInterceptors() : [] },
  })
}

export function workflowStartOptions(
  event: ScomplerEvent,
  taskQueue: string,
): WorkflowStartOptions<(event: ScomplerEvent) => Promise<unknown>> {
  return {
    taskQueue,
    workflowId: event.id,
    args: [event],
    // Never two runs of a running or completed event; a failed, terminated or timed-out run
    // may run again through a redelivery or a replay.
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: [
      { key: SCOMPLER_EVENT, value: event.event },
      { key: SCOMPLER_ACCOUNT_ID, value: event.accountId },
    ],
    // What the Web UI shows at a glance; the run's current details add its outcome when done.
    staticSummary: `${event.event} for account ${event.accountId}`,
    staticDetails: [
      `**Event** ${event.event}`,
      `**Account** ${event.accountId}`,
      `**Event id** ${event.id}`,
      `**Occurred at** ${event.occurredAt}`,
    ].join('\n\n'),
  }
}

export function createEventStarter(
  client: Client,
  taskQueue: string,
  timeoutMs = START_TIMEOUT_MS,
): StartEvent {
  const start = (event: ScomplerEvent, signal: AbortSignal) =>
    client.withAbortSignal(signal, () =>
      client.workflow.start(workflowTypeFor(event.event), workflowStartOptions(event, taskQueue)),
    )
  return async function startEvent(event) {
    try {
      const handle = await withTimeout(timeoutMs, (signal) =>
        retryTransient(signal, () => start(event, signal)),
      )
      return {
        status: 'accepted',
        workflowId: handle.workflowId,
        runId: handle.firstExecutionRunId,
      }
    } catch (error) {
      // Told apart by name, not instanceof: module registries may hold several copies of the SDK.
      if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') {
        return { status: 'duplicate', workflowId: event.id }
      }
      throw new TemporalUnavailableError('Temporal did not start the workflow', { cause: error })
    }
  }
}

/** gRPC codes worth another try: the server is restarting, overloaded or briefly unreachable. */
const TRANSIENT_GRPC_CODES = new Set([
  2 /* UNKNOWN */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 14 /* UNAVAILABLE */,
])

/**
 * Retries `fn` with a short backoff until `signal` aborts. A start is safe to repeat: the event
 * id is the workflow id, so a start that did land answers "already started" the second time.
 */
async function retryTransient<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await fn()
    } catch (error) {
      const code =
        (error as { cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code
      if (signal.aborted || typeof code !== 'number' || !TRANSIENT_GRPC_CODES.has(code)) throw error
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}

/** Aborts `fn` after `ms`, and answers then even if the abort is not honoured at once. */
export async function withTimeout<T>(
  ms: number,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${ms} ms`)
      controller.abort(error)
      reject(error)
    }, ms)
  })
  try {
    return await Promise.race([fn(controller.signal), expired])
  } finally {
    clearTimeout(timer)
  }
}
