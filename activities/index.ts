import type { Client } from '@temporalio/client'
import type { Database } from '../src/store/database'
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
  /** The in-transaction cleanup of an uninstall (deleteRelatedData). */
  hooks?: Partial<Hooks>
  /** The handler registered for an event type, recorded by the claim (none by default). */
  handlerPlans?: HandlerPlans
}

export function createActivities({ db, client, hooks, handlerPlans }: ActivityDeps) {
  const allHooks: Hooks = { ...defaultHooks, ...hooks }
  return classifyFailures({
    ...createLedgerActivities(db, handlerPlans),
    ...createUninstallActivities(db, allHooks),
    ...createPostingActivities(db, client),
    ...createUnhandledEventActivities(db),
  })
}

export type Activities = ReturnType<typeof createActivities>
