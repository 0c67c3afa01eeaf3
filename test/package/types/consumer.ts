// Compiled by test/package/consumer.test.ts in a scratch project with the packed package installed,
// once per module setting (see tsconfig.*.json beside this file): the published types resolve,
// and they are precise (each @ts-expect-error fails the compile if its type were `any`).
import type { Client } from '@temporalio/client'
import {
  APP_UNINSTALLED,
  createWebhookHandler,
  createWebhookMiddleware,
  POSTING_SENT_TO_PUBLISH,
  signBody,
  WEBHOOK_PATH,
  type ScomplerEvent,
} from 'scompler-webhooks'
import {
  markTokenRejected,
  openStore,
  recordInstallation,
  type Store,
} from 'scompler-webhooks/store'
import { buildDelivery, buildEvent, runHandler } from 'scompler-webhooks/testing'
import {
  createHandlers,
  createWorker,
  HandlerFailure,
  type HandlerRegistry,
} from 'scompler-webhooks/worker'

export function mount(client: Client) {
  const paths: string[] = [WEBHOOK_PATH, APP_UNINSTALLED, POSTING_SENT_TO_PUBLISH]
  // @ts-expect-error the secret is required
  createWebhookMiddleware({ client })
  return {
    paths,
    middleware: createWebhookMiddleware({ client, secret: 's' }),
    handler: createWebhookHandler({ client, secret: 's' }),
  }
}

export const handlers: HandlerRegistry = createHandlers()
  .on('posting.sent_to_publish', async ({ data, idempotencyKey }) => {
    const postingId: string = data.postingId
    // @ts-expect-error known events have typed data
    return { postingId, idempotencyKey, typo: data.postingID }
  })
  .on('app.uninstalled', async ({ data }) => {
    if (!data.deleteRelatedData) throw new HandlerFailure('kept')
  })

export async function store(databaseUrl: string): Promise<Store> {
  const opened = await openStore({ databaseUrl })
  const added: 'added' | 'updated' = await recordInstallation(opened, {
    installationId: 'i',
    accountId: '1',
    accessToken: 't',
  })
  const rejected: boolean = await markTokenRejected(opened, 'i')
  return rejected || added === 'added' ? opened : opened
}

export async function testing(): Promise<unknown> {
  const event: ScomplerEvent = buildEvent('comment.created', { data: { comment_id: 'c' } })
  const { body, headers } = buildDelivery(event, 'secret')
  const signature: string = signBody(body, 'secret')
  return [headers, signature, await runHandler(handlers, event)]
}

export { createWorker }
