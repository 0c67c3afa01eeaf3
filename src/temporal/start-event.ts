// Starting a run per event. The event id is the workflow id, so Temporal itself refuses a second
// run of a running or completed event; the ledger (activities) covers what outlives retention.
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowStartOptions,
} from '@temporalio/client'
import {
  SCOMPLER_ACCOUNT_ID,
  SCOMPLER_EVENT,
  workflowTypeFor,
  type RunOptions,
  type ScomplerEvent,
} from '../domain'
import { retry, withTimeout } from '../shared/retry'

/** A start that takes longer is answered 503 so the sender redelivers later. */
const START_TIMEOUT_MS = 5000

export type StartOutcome =
  | { status: 'accepted'; workflowId: string; runId: string }
  | { status: 'duplicate'; workflowId: string }

export type StartEvent = (event: ScomplerEvent) => Promise<StartOutcome>

/** Temporal could not be reached or refused the start; `cause` holds the detail for logs. */
export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError'
}

export function workflowStartOptions(
  event: ScomplerEvent,
  taskQueue: string,
  runOptions?: RunOptions,
): WorkflowStartOptions<(event: ScomplerEvent, options?: RunOptions) => Promise<unknown>> {
  return {
    taskQueue,
    workflowId: event.id,
    // The run options are recorded input: a replay of the run sees the same values.
    args: runOptions ? [event, runOptions] : [event],
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
  {
    timeoutMs = START_TIMEOUT_MS,
    runOptions,
  }: { timeoutMs?: number; runOptions?: RunOptions } = {},
): StartEvent {
  const start = (event: ScomplerEvent, signal: AbortSignal) =>
    client.withAbortSignal(signal, () =>
      client.workflow.start(
        workflowTypeFor(event.event),
        workflowStartOptions(event, taskQueue, runOptions),
      ),
    )
  return async function startEvent(event) {
    try {
      // Safe to repeat: a start that did land answers "already started" the second time.
      const handle = await withTimeout(timeoutMs, (signal) =>
        retry(() => start(event, signal), {
          signal,
          initialDelayMs: 100,
          maxDelayMs: 1000,
          retryable: isTransient,
        }),
      )
      return {
        status: 'accepted',
        workflowId: handle.workflowId,
        runId: handle.firstExecutionRunId,
      }
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
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

function isTransient(error: unknown): boolean {
  const code =
    (error as { cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code
  return typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)
}
