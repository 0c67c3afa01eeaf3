// The app's Koa backend: its own routes, an app-wide JSON body parser, and the Scompler webhook
// endpoint at a path of the app's choosing. Builds the app; api.ts listens.
import { timingSafeEqual } from 'node:crypto'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import type { Client } from '@temporalio/client'
import Koa from 'koa'
import { createWebhookMiddleware, signBody } from 'scompler-webhooks'
import { InstallationRefusedError, recordInstallation, type Store } from 'scompler-webhooks/store'

export const SCOMPLER_WEBHOOK_PATH = '/integrations/scompler/webhook'

export interface AppDependencies {
  client: Client
  store: Store
  secret: string
  taskQueue: string
}

interface InstallCallback {
  installation_id?: unknown
  account_id?: unknown
  access_token?: unknown
}

/**
 * Scompler's docs say the app secret verifies installation callbacks, not how. This example signs
 * them like webhooks (hex HMAC-SHA256 of the raw body in X-Signature): put your platform's check here.
 */
function isGenuine(rawBody: string, signature: string | undefined, secret: string): boolean {
  const expected = Buffer.from(signBody(rawBody, secret))
  const given = Buffer.from(signature ?? '')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function appRoutes({ store, secret }: AppDependencies): Router {
  return new Router()
    .get('/api/hello', (ctx) => {
      ctx.body = { hello: 'from the app backend' }
    })
    .post('/install', async (ctx) => {
      if (!isGenuine(ctx.request.rawBody, ctx.get('x-signature') || undefined, secret)) {
        return ctx.throw(401, 'invalid signature')
      }
      const { installation_id, account_id, access_token } = ctx.request.body as InstallCallback
      const accountIdGiven = typeof account_id === 'string' || typeof account_id === 'number'
      if (
        typeof installation_id !== 'string' ||
        typeof access_token !== 'string' ||
        !accountIdGiven
      ) {
        return ctx.throw(400, 'installation_id, account_id and access_token are required')
      }
      try {
        const status = await recordInstallation(store, {
          installationId: installation_id,
          accountId: String(account_id),
          accessToken: access_token,
        })
        ctx.status = status === 'added' ? 201 : 200
        ctx.body = { status }
      } catch (error) {
        if (error instanceof InstallationRefusedError) ctx.throw(409, error.message)
        throw error
      }
    })
}

export function createApp(dependencies: AppDependencies): Koa {
  const { client, secret, taskQueue } = dependencies
  const webhook = new Router().post(
    SCOMPLER_WEBHOOK_PATH,
    createWebhookMiddleware({ client, secret, taskQueue }),
  )
  const routes = appRoutes(dependencies)
  const app = new Koa()
  // Before the body parser: the signature is checked over the exact bytes received, so the
  // endpoint reads the body itself.
  app.use(webhook.routes()).use(webhook.allowedMethods())
  app.use(bodyParser())
  app.use(routes.routes()).use(routes.allowedMethods())
  return app
}
