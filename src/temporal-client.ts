// Starting a run per event. The event id is the workflow id, so Temporal itself refuses a second
// run of a running or completed event; the ledger (activities) covers what outlives retention.
import { Client, Connection, type WorkflowStartOptions } from '@temporalio/client'
import type { TemporalConfig } from './config'
import { SCOMPLER_ACCOUNT_ID, SCOMPLER_EVENT, workflowTypeFor, type ScomplerEvent } from './domain'

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

/** Connects on first use, so the API boots and stays up while Temporal is down. */
export function createLazyClient(config: TemporalConfig): Client {
  return new Client({ connection: Connection.lazy(config.connection), namespace: config.namespace })
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
    staticSummary: `${event.event} for account ${event.accountId}`,
  }
}

export function createEventStarter(
  client: Client,
  taskQueue: string,
  timeoutMs = START_TIMEOUT_MS,
): StartEvent {
  return async function startEvent(event) {
    try {
      const handle = await withTimeout(timeoutMs, (signal) =>
        client.withAbortSignal(signal, () =>
          client.workflow.start(
            workflowTypeFor(event.event),
            workflowStartOptions(event, taskQueue),
          ),
        ),
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
