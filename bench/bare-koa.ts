// The HTTP-layer baseline: a Koa app that reads the body with raw-body (same limit) and answers,
// logging one line per request with the API's logger settings. Started as its own process.
import { createServer } from 'node:http'
import Koa from 'koa'
import getRawBody from 'raw-body'
import { loadConfig } from '../src/config'
import { createLogger } from '../src/shared/logger'
import { runMain, untilAborted } from '../src/shared/lifecycle'

void runMain('bare koa', async ({ shutdown }) => {
  const config = loadConfig(process.env)
  const logger = createLogger({ level: config.logLevel, name: 'api' })
  const app = new Koa()
  app.proxy = true
  app.silent = true
  app.use(async (ctx) => {
    const started = process.hrtime.bigint()
    const length = ctx.get('content-length')
    const body = await getRawBody(ctx.req, {
      limit: config.webhook.maxBodyBytes,
      length: length || undefined,
    })
    ctx.body = { received: body.length }
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6
    logger.info({ status: ctx.status, latencyMs }, 'request')
  })
  const handle = app.callback()
  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve))
  logger.info({ port: config.http.port }, 'bare koa listening')
  await untilAborted(shutdown)
  await new Promise((resolve) => server.close(resolve))
})
