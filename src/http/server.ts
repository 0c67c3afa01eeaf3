// The API's listener: the Koa app behind slow-client limits, and its readiness check.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Tracer } from '@opentelemetry/api'
import type { Client } from '@temporalio/client'
import type { Config } from '../config'
import { listen, type Listening } from '../shared/listen'
import type { Logger } from '../shared/logger'
import { temporalReadiness } from '../temporal/namespace'
import { createEventStarter } from '../temporal/start-event'
import { createApp, createOpsApp } from './app'
import { createApiMetrics, type ApiMetrics } from './metrics'
import type { WebhookSecrets } from './signature'

/** Slow senders get this long for headers and for the whole request. */
export const REQUEST_TIMEOUT_MS = 10_000

export interface ApiServerDeps {
  config: Pick<
    Config,
    'http' | 'ops' | 'webhook' | 'unverified' | 'temporal' | 'storeRetryWindowMs'
  >
  secrets: WebhookSecrets
  client: Client
  logger: Logger
  /** npm start shares one registry between the API and the worker. */
  metrics?: ApiMetrics
  /** Set while tracing is on; every caller says which. */
  tracer: Tracer | undefined
}

export async function startApiServer({
  config,
  secrets,
  client,
  logger,
  metrics,
  tracer,
}: ApiServerDeps): Promise<ApiListening> {
  const ops = {
    readiness: () => temporalReadiness(client.connection, config.temporal.namespace),
    logger,
    metrics: metrics ?? createApiMetrics(),
    tracer,
  }
  const app = createApp({
    ...ops,
    secrets,
    maxBodyBytes: config.webhook.maxBodyBytes,
    unverified: config.unverified,
    maxAgeMs: config.webhook.maxAgeMs,
    startEvent: createEventStarter(client, config.temporal.taskQueue, {
      runOptions: { storeRetryWindow: config.storeRetryWindowMs },
    }),
    serveOps: config.ops === undefined,
  })
  const webhooks = await listen(createHttpServer(app.callback()), config.http)
  if (!config.ops) return webhooks
  try {
    const opsListening = await listen(createHttpServer(createOpsApp(ops).callback()), config.ops)
    return {
      url: webhooks.url,
      opsUrl: opsListening.url,
      close: async () => {
        await Promise.all([webhooks.close(), opsListening.close()])
      },
    }
  } catch (error) {
    await webhooks.close()
    throw error
  }
}

/** The webhook listener, and the second one for /readyz and /metrics when OPS_PORT is set. */
export interface ApiListening extends Listening {
  opsUrl?: string
}

/**
 * The listener with slow-client limits. Node checks them only every `connectionsCheckingInterval`
 * (30 s by default), so a slow sender could hold a connection for 40 s: check every second.
 */
export function createHttpServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Server {
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    void handle(req, res)
  })
  server.headersTimeout = timeoutMs
  server.requestTimeout = timeoutMs
  return server
}
