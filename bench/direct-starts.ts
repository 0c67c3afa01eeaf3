// The limit Temporal sets: `client.workflow.start` from a Node process, with the options the API
// uses, by `concurrency` callers that each start the next event once the previous start returns.
import type { Client } from '@temporalio/client'
import { workflowTypeFor } from '../src/domain'
import { workflowStartOptions } from '../src/temporal/start-event'
import type { Delivery } from './events'
import type { LoadResult } from './http-load'
import { percentile } from './stats'

export interface DirectLoad {
  client: Client
  taskQueue: string
  concurrency: number
  seconds: number
  pool: Delivery[]
  /** Starts of events that already have a run: each must fail as already started. */
  duplicates?: boolean
}

export async function runDirectStarts(load: DirectLoad): Promise<LoadResult> {
  const latencies: number[] = []
  let next = 0
  let unexpected = 0
  const started = performance.now()
  const deadline = started + load.seconds * 1000
  const startOne = async (delivery: Delivery) => {
    const { event } = delivery
    await load.client.workflow.start(
      workflowTypeFor(event.event),
      workflowStartOptions(event, load.taskQueue),
    )
  }
  const caller = async () => {
    while (performance.now() < deadline) {
      if (next >= load.pool.length) {
        if (!load.duplicates) throw new Error('the pool of distinct events ran out')
        next = 0
      }
      const delivery = load.pool[next++]!
      const sent = performance.now()
      const failed = await startOne(delivery).then(
        () => undefined,
        (error: Error) => error,
      )
      const answered = performance.now()
      // As autocannon counts: an answer after the end of the run is not part of it.
      if (answered > deadline) return
      latencies.push(answered - sent)
      const alreadyStarted = failed?.name === 'WorkflowExecutionAlreadyStartedError'
      if (load.duplicates ? !alreadyStarted : failed) unexpected++
    }
  }
  await Promise.all(Array.from({ length: load.concurrency }, caller))
  const seconds = (deadline - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    unexpected,
  }
}
