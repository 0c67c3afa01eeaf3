// POST -> workflow completion at a fixed offered rate. Open loop: deliveries leave on schedule
// whether or not earlier ones were answered, so a slow system cannot slow the offered load.
import { Agent, request } from 'node:http'
import type { Client } from '@temporalio/client'
import { WEBHOOK_PATH } from '../src/domain'
import { signedDeliveries, type Delivery } from './events'
import { median, percentile } from './stats'

export interface EndToEndResult {
  rate: number
  sent: number
  accepted: number
  /** Completions per second from the first POST to the last completion. */
  completedPerSecond: number
  p50: number
  p99: number
  /** How much longer the last quarter of arrivals waited than the first (medians). */
  waitGrowthMs: number
  keepsUp: boolean
}

/**
 * Completions keep up when every delivery is accepted and no queue builds up: the last quarter
 * of arrivals waits at most this share of the step longer (median) than the first quarter. A
 * rate 10% over capacity makes the wait grow by about that much over the step.
 */
export const KEEP_UP_GROWTH = 0.1
const COMPLETION_TIMEOUT_MS = 60_000

export async function runEndToEnd(
  client: Client,
  apiUrl: string,
  rate: number,
  seconds: number,
): Promise<EndToEndResult> {
  const deliveries = signedDeliveries(Math.round(rate * seconds))
  const sentAt = await sendAtRate(apiUrl, deliveries, rate)
  const closedAt = await completionTimes(client, [...sentAt.keys()])
  const inArrivalOrder = [...sentAt].map(([id, sent]) => (closedAt.get(id) ?? Infinity) - sent)
  const quarter = Math.max(1, Math.floor(inArrivalOrder.length / 4))
  const growthMs = median(inArrivalOrder.slice(-quarter)) - median(inArrivalOrder.slice(0, quarter))
  const latencies = [...inArrivalOrder].sort((a, b) => a - b)
  const firstSent = Math.min(...sentAt.values())
  const lastClosed = Math.max(...closedAt.values())
  return {
    rate,
    sent: deliveries.length,
    accepted: sentAt.size,
    completedPerSecond: (closedAt.size * 1000) / (lastClosed - firstSent),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    waitGrowthMs: growthMs,
    keepsUp: sentAt.size === deliveries.length && growthMs <= KEEP_UP_GROWTH * seconds * 1000,
  }
}

/** Epoch ms at which each accepted delivery was sent, by event id. */
async function sendAtRate(apiUrl: string, deliveries: Delivery[], rate: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const sentAt = new Map<string, number>()
  const start = Date.now()
  const inFlight: Array<Promise<void>> = []
  for (const [index, delivery] of deliveries.entries()) {
    const due = start + (index * 1000) / rate
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()))
    const sent = Date.now()
    inFlight.push(
      post(agent, apiUrl, delivery).then((accepted) => {
        if (accepted) sentAt.set(delivery.event.id, sent)
      }),
    )
  }
  await Promise.all(inFlight)
  agent.destroy()
  return sentAt
}

function post(agent: Agent, apiUrl: string, delivery: Delivery): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${apiUrl}${WEBHOOK_PATH}`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'x-signature': delivery.signature },
    })
    req.on('response', (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () => resolve(res.statusCode === 200 && text.includes('"accepted"')))
    })
    req.on('error', () => resolve(false))
    req.end(delivery.body)
  })
}

/** Close time (epoch ms, the server's clock: same machine) of each completed run. */
async function completionTimes(client: Client, ids: string[]): Promise<Map<string, number>> {
  const deadline = Date.now() + COMPLETION_TIMEOUT_MS
  const closed = new Map<string, number>()
  let next = 0
  const describer = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      for (;;) {
        const { closeTime, status } = await client.workflow.getHandle(id).describe()
        if (closeTime) {
          if (status.name === 'COMPLETED') closed.set(id, closeTime.getTime())
          break
        }
        if (Date.now() > deadline) break
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  }
  await Promise.all(Array.from({ length: 16 }, describer))
  return closed
}

/**
 * Waits until the worker has finished every run started so far (seen twice: visibility lags a
 * little behind starts); returns how long it took.
 */
export async function waitForNoRunningWorkflows(client: Client, timeoutMs: number) {
  const started = Date.now()
  for (let idle = 0; ;) {
    const { count } = await client.workflow.count('ExecutionStatus = "Running"')
    idle = count === 0 ? idle + 1 : 0
    if (idle === 2) return (Date.now() - started) / 1000
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${count} runs still running after ${timeoutMs / 1000} s`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
