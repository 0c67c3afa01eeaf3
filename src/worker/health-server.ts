// The worker's own health and metrics endpoint, on a port of its own (WORKER_HEALTH_PORT).
import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'
import { HTTP_ERRORS, type ErrorCode } from '../http/errors'
import { listen, type Listening } from '../shared/listen'

export async function startHealthServer(options: {
  port: number
  host: string
  readiness: () => Promise<string | undefined>
  registry: Registry
  /** Temporal's SDK metrics (Runtime telemetry on loopback), served after ours. */
  temporalMetricsUrl?: string
}): Promise<Listening> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    const refuse = (code: ErrorCode, message = HTTP_ERRORS[code].message) =>
      reply(HTTP_ERRORS[code].status, { error: code, message })
    void (async () => {
      if (req.url === '/healthz') return reply(200, { status: 'ok' })
      if (req.url === '/readyz') {
        const reason = await options.readiness()
        return reason ? refuse('not_ready', reason) : reply(200, { status: 'ready' })
      }
      if (req.url === '/metrics') {
        const temporal = await temporalMetrics(options.temporalMetricsUrl)
        return reply(
          200,
          (await options.registry.metrics()) + temporal,
          options.registry.contentType,
        )
      }
      refuse('not_found')
    })().catch(() => refuse('internal_error'))
  })
  return listen(server, options)
}

/** Both are Prometheus text format, with no name in common (Temporal's all start `temporal_`). */
async function temporalMetrics(url: string | undefined): Promise<string> {
  if (!url) return ''
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
    return `\n${await res.text()}`
  } catch {
    return '\n# Temporal SDK metrics unavailable\n'
  }
}
