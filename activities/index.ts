import type { Client } from '@temporalio/client'
import type { Database } from '../src/store/database'
import { createTokenCipher, type TokenCipher } from '../src/store/token-cipher'
import { createUninstallActivities } from './app-uninstalled'
import { classifyFailures } from './errors'
import { defaultHooks, type Hooks } from './hooks'
import { createLedgerActivities, type HandlerPlans } from './ledger'
import { createPostingActivities } from './posting-sent-to-publish'
import { createUnhandledEventActivities } from './unhandled-event'

export type { Hooks } from './hooks'
export { defaultHooks } from './hooks'

export interface ActivityDeps {
  db: Database
  /** Used to cancel an uninstalled account's posting runs. */
  client: Client
  hooks?: Partial<Hooks>
  /** Decrypts access tokens for the posting hook; without it only plaintext tokens are read. */
  tokens?: TokenCipher
  /** The handler registered for an event type, recorded by the claim (none by default). */
  handlerPlans?: HandlerPlans
}

export function createActivities({ db, client, hooks, tokens, handlerPlans }: ActivityDeps) {
  const allHooks: Hooks = { ...defaultHooks, ...hooks }
  return classifyFailures({
    ...createLedgerActivities(db, handlerPlans),
    ...createUninstallActivities(db, allHooks),
    ...createPostingActivities(db, allHooks, client, tokens ?? createTokenCipher(undefined)),
    ...createUnhandledEventActivities(db),
  })
}

export type Activities = ReturnType<typeof createActivities>
