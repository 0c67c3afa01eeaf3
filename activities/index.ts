import type { Client } from '@temporalio/client'
import type { Database } from '../src/store/database'
import { createTokenCipher, type TokenCipher } from '../src/store/token-cipher'
import { createUninstallActivities } from './app-uninstalled'
import { classifyFailures } from './errors'
import { defaultHooks, type Hooks } from './hooks'
import { createLedgerActivities } from './ledger'
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
}

export function createActivities({ db, client, hooks, tokens }: ActivityDeps) {
  const allHooks: Hooks = { ...defaultHooks, ...hooks }
  return classifyFailures({
    ...createLedgerActivities(db),
    ...createUninstallActivities(db, allHooks),
    ...createPostingActivities(db, allHooks, client, tokens ?? createTokenCipher(undefined)),
    ...createUnhandledEventActivities(db),
  })
}

export type Activities = ReturnType<typeof createActivities>
