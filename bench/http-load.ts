// Closed-loop HTTP load with autocannon: `connections` clients each send the next delivery
// from the pool as soon as their previous answer arrives.
import autocannon from 'autocannon'
import { WEBHOOK_PATH } from '../src/domain'
import type { Delivery } from './events'

export interface LoadResult {
  requests: number
  seconds: number
  throughput: number
  p50: number
  p99: number
  /** Answers other than the expected status and outcome, and socket errors. */
  unexpected: number
}

export interface HttpLoad {
  url: string
  connections: number
  seconds: number
  pool: Delivery[]
  /** Wraps around the pool when it runs out (fine for duplicates and forgeries only). */
  cycle?: boolean
  expectStatus: number
  /** Text the answer must contain, e.g. `"accepted"`. */
  expectBody?: string
}

export async function runHttpLoad(load: HttpLoad): Promise<LoadResult> {
  let next = 0
  let unexpected = 0
  let exhausted = false
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.seconds,
    requests: [
      {
        method: 'POST',
        path: WEBHOOK_PATH,
        setupRequest(request) {
          if (next >= load.pool.length) {
            if (!load.cycle) exhausted = true
            next = 0
          }
          const delivery = load.pool[next++]!
          return {
            ...request,
            body: delivery.body,
            headers: { 'content-type': 'application/json', 'x-signature': delivery.signature },
          }
        },
        onResponse(status, body) {
          if (status !== load.expectStatus) unexpected++
          else if (load.expectBody && !body.includes(load.expectBody)) unexpected++
        },
      },
    ],
  })
  if (exhausted) throw new Error('the pool of distinct deliveries ran out: make it larger')
  const requests = result.requests.total
  return {
    requests,
    seconds: result.duration,
    throughput: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    unexpected: unexpected + result.errors + result.timeouts,
  }
}
