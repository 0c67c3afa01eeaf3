import type { Server } from 'node:http'
import type { Tracer } from '@opentelemetry/api'
import type { Client } from '@temporalio/client'
import request from 'supertest'
import { createHttpServer } from '../../src/http/server'
import { createApp } from '../../src/http/app'
import { listen } from '../../src/shared/listen'
import { createLogger, type Logger } from '../../src/shared/logger'
import { createApiMetrics, type ApiMetrics } from '../../src/http/metrics'
import { createEventStarter, type StartEvent } from '../../src/temporal/start-event'
import { PREVIOUS_SECRET, SECRET } from './events'

export interface TestApi {
  http: ReturnType<typeof request>
  port: number
  /** How many deliveries reached the workflow start. */
  starts: () => number
  close: () => Promise<void>
}

/** The real app on a real HTTP listener on loopback, starting real workflows. */
export async function startTestApi(options: {
  client: Client
  taskQueue: string
  maxBodyBytes?: number
  maxAgeMs?: number
  previousSecret?: boolean
  /** Header and request timeout; the product's REQUEST_TIMEOUT_MS by default. */
  requestTimeoutMs?: number
  /** Captures log lines; silent by default. */
  logger?: Logger
  metrics?: ApiMetrics
  /** The request span's tracer, as while tracing is on; no spans by default. */
  tracer?: Tracer
}): Promise<TestApi> {
  let starts = 0
  const realStart = createEventStarter(options.client, options.taskQueue)
  const startEvent: StartEvent = (event) => {
    starts++
    return realStart(event)
  }
  const app = createApp({
    secrets: options.previousSecret
      ? { current: SECRET, previous: PREVIOUS_SECRET }
      : { current: SECRET },
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    maxAgeMs: options.maxAgeMs ?? 72 * 3600_000,
    startEvent,
    readiness: async () => undefined,
    logger: options.logger ?? createLogger({ level: 'silent' }),
    metrics: options.metrics ?? createApiMetrics(),
    tracer: options.tracer,
  })
  const server: Server = createHttpServer(app.callback(), options.requestTimeoutMs)
  const listening = await listen(server, { port: 0, host: '127.0.0.1' })
  return {
    http: request(listening.url),
    port: Number(new URL(listening.url).port),
    starts: () => starts,
    close: async () => {
      server.closeAllConnections()
      await listening.close()
    },
  }
}
