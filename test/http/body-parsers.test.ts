// The webhook beside an app-wide JSON body parser (Koa's, Express's, Fastify's own), through real
// HTTP with real signatures and the real Temporal server. Mounted before the parser, or with the parser skipping its path, it gets
// the exact bytes and answers 200; mounted after it, the bytes are gone and it refuses at once
// with 500 body_already_read and a log line naming the fix (never a hang, never a check against
// re-serialised JSON). The app's own JSON routes keep their parsed bodies in every order.
import { once } from 'node:events'
import { bodyParser as koaBodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import type { Client } from '@temporalio/client'
import express from 'express'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import Koa, { type Middleware } from 'koa'
import legacyBodyParser from 'koa-bodyparser'
import { createWebhookHandler, createWebhookMiddleware, type WebhookOptions } from '../../src/lib'
import { delivery, SECRET, uninstallEvent } from '../helpers/events'
import { sendRaw, type RawResponse } from '../helpers/raw-http'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'
import { capturedLogger, serve, type Running } from './mounted-server'

const PATH = '/integrations/scompler'
const FIX = /mount the webhook before the body parser, or make the parser skip its path/

let client: Client
beforeAll(async () => {
  client = await connectClient()
})
afterAll(async () => {
  await client.connection.close()
})

function webhookOptions(logger = capturedLogger().logger): WebhookOptions {
  return { secret: SECRET, client, taskQueue: uniqueTaskQueue('parsers'), logger }
}

async function deliverTo(server: Running): Promise<{ answer: RawResponse; ms: number }> {
  const { body, headers } = delivery(uninstallEvent())
  const started = Date.now()
  const answer = await sendRaw(
    server.port,
    { path: PATH, body, headers: Object.entries(headers).flat() },
    5000,
  )
  return { answer, ms: Date.now() - started }
}

async function echo(server: Running): Promise<RawResponse> {
  return sendRaw(server.port, {
    path: '/api/echo',
    body: JSON.stringify({ hello: 'app' }),
    headers: ['Content-Type', 'application/json'],
  })
}

async function expectRefused(server: Running, lines: Array<Record<string, unknown>>) {
  const { answer, ms } = await deliverTo(server)
  expect([answer.status, answer.json()]).toEqual([
    500,
    { error: 'body_already_read', message: expect.any(String) },
  ])
  expect(ms).toBeLessThan(2000)
  const line = lines.find((l) => l.reason === 'body_already_read')
  expect(line).toMatchObject({ level: 50, msg: 'webhook delivery failed', status: 500 })
  expect((line?.err as { message?: string }).message).toMatch(FIX)
}

async function expectAccepted(server: Running) {
  const { answer } = await deliverTo(server)
  expect([answer.status, answer.json().status]).toEqual([200, 'accepted'])
}

const koaParsers: Array<[string, () => Middleware]> = [
  ['@koa/bodyparser', () => koaBodyParser()],
  ['koa-bodyparser', () => legacyBodyParser()],
]

describe.each(koaParsers)('Koa with %s', (_name, parser) => {
  const appRoutes = () =>
    new Router().post('/api/echo', (ctx) => {
      ctx.body = { echo: (ctx.request as { body?: unknown }).body }
    })
  const webhookRoute = (webhook: WebhookOptions) =>
    new Router().all(PATH, createWebhookMiddleware(webhook))

  async function expectOwnRouteParses(server: Running) {
    const answer = await echo(server)
    expect([answer.status, answer.json()]).toEqual([200, { echo: { hello: 'app' } }])
  }

  it('mounted before the parser: verified over the exact bytes, 200', async () => {
    const app = new Koa()
      .use(webhookRoute(webhookOptions()).routes())
      .use(parser())
      .use(appRoutes().routes())
    const server = await serve(app.callback())
    try {
      await expectAccepted(server)
      await expectOwnRouteParses(server)
    } finally {
      await server.close()
    }
  })

  it('with the parser skipping its path (ctx.disableBodyParser): 200', async () => {
    const skipWebhook: Middleware = async (ctx, next) => {
      if (ctx.path === PATH) (ctx as { disableBodyParser?: boolean }).disableBodyParser = true
      await next()
    }
    const app = new Koa()
      .use(skipWebhook)
      .use(parser())
      .use(appRoutes().routes())
      .use(webhookRoute(webhookOptions()).routes())
    const server = await serve(app.callback())
    try {
      await expectAccepted(server)
      await expectOwnRouteParses(server)
    } finally {
      await server.close()
    }
  })

  it('mounted after the parser: 500 body_already_read at once, and a line naming the fix', async () => {
    const { logger, lines } = capturedLogger()
    const webhook = webhookOptions(logger)
    const app = new Koa()
      .use(parser())
      .use(appRoutes().routes())
      .use(webhookRoute(webhook).routes())
    const server = await serve(app.callback())
    try {
      await expectRefused(server, lines)
      await expectOwnRouteParses(server)
    } finally {
      await server.close()
    }
  })
})

describe('Express with express.json()', () => {
  const echoRoute = (app: express.Express) =>
    app.post('/api/echo', (req, res) => {
      res.json({ echo: req.body as unknown })
    })

  it('the handler routed before the parser: 200, and the app parses its own routes', async () => {
    const app = express()
    app.all(PATH, createWebhookHandler(webhookOptions()))
    app.use(express.json())
    echoRoute(app)
    const server = await serve(app)
    try {
      await expectAccepted(server)
      expect((await echo(server)).json()).toEqual({ echo: { hello: 'app' } })
    } finally {
      await server.close()
    }
  })

  it('the handler routed after the parser: 500 body_already_read at once', async () => {
    const { logger, lines } = capturedLogger()
    const webhook = webhookOptions(logger)
    const app = express()
    app.use(express.json())
    echoRoute(app)
    app.all(PATH, createWebhookHandler(webhook))
    const server = await serve(app)
    try {
      await expectRefused(server, lines)
    } finally {
      await server.close()
    }
  })
})

describe('node:http', () => {
  it('a request whose stream was read before the handler: 500 body_already_read at once', async () => {
    const { logger, lines } = capturedLogger()
    const webhook = webhookOptions(logger)
    const handle = createWebhookHandler(webhook)
    const server = await serve(async (req, res) => {
      // Read by someone else, and dropped.
      req.resume()
      await once(req, 'end')
      handle(req, res)
    })
    try {
      await expectRefused(server, lines)
    } finally {
      await server.close()
    }
  })
})

describe("Fastify's own body parsing", () => {
  /** Hands Fastify's raw request and response to the webhook; Fastify sends nothing itself. */
  const toWebhook = (webhook: WebhookOptions) => {
    const handle = createWebhookHandler(webhook)
    return (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack()
      handle(request.raw, reply.raw)
    }
  }

  const echoRoute = (app: FastifyInstance) =>
    app.post('/api/echo', async (request) => ({ echo: request.body }))

  async function listen(app: FastifyInstance): Promise<Running> {
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    return { port: Number(new URL(url).port), url, close: () => app.close() }
  }

  it('the route in a plugin whose only parser leaves the stream unread: 200, and the app parses its own routes', async () => {
    const app = Fastify()
    const webhook = webhookOptions()
    await app.register(async (scope) => {
      // Scoped to this plugin: the app's other routes keep Fastify's JSON parser.
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
      scope.all(PATH, toWebhook(webhook))
    })
    echoRoute(app)
    const server = await listen(app)
    try {
      await expectAccepted(server)
      expect((await echo(server)).json()).toEqual({ echo: { hello: 'app' } })
    } finally {
      await server.close()
    }
  })

  const wrongSetUps: Array<[string, (app: FastifyInstance, webhook: WebhookOptions) => void]> = [
    [
      'a plain route (Fastify parses application/json first)',
      (app, webhook) => app.all(PATH, toWebhook(webhook)),
    ],
    [
      "the catch-all parser alone (application/json still goes to Fastify's own)",
      (app, webhook) => {
        app.addContentTypeParser('*', (_request, _payload, done) => done(null))
        app.all(PATH, toWebhook(webhook))
      },
    ],
  ]

  it.each(wrongSetUps)('%s: 500 body_already_read at once', async (_name, mount) => {
    const { logger, lines } = capturedLogger()
    const app = Fastify()
    mount(app, webhookOptions(logger))
    echoRoute(app)
    const server = await listen(app)
    try {
      await expectRefused(server, lines)
    } finally {
      await server.close()
    }
  })
})
