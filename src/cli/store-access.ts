// The CLI's way to the store: PostgreSQL (DATABASE_URL); else the running `npm start` (its admin
// socket), because PGlite is single-process and single-session; else the embedded store itself.
import path from 'node:path'
import type { Config } from '../config'
import type { ScomplerEvent } from '../domain'
import { openDatabase, type Database } from '../store/database'
import { lockOwner } from '../store/file-lock'
import { markTokenRejected, recordInstallation } from '../lib/store'
import {
  listInstallations,
  removeInstallation,
  type Installation,
  type NewInstallation,
} from '../store/installations'
import { getLedgerEntry, type LedgerEntry } from '../store/ledger'
import {
  listUnfinishedClaims,
  type ClaimFilter,
  type UnfinishedClaim,
} from '../store/ledger-claims'
import {
  listUnhandledEvents,
  type UnhandledEvent,
  type UnhandledEventFilter,
} from '../store/records'
import { storeLockPath } from '../store/pglite'
import { listRecordedEvents, type RecordedEventFilter } from '../store/recorded-events'
import { createTokenCipher, type TokenCipher } from '../store/token-cipher'
import { adminClient } from '../admin/client'
import { CliError, EXIT } from './cli-error'

export interface StoreAccess {
  via: 'postgres' | 'embedded' | 'npm start'
  addInstallation(input: NewInstallation): Promise<'added' | 'updated'>
  listInstallations(accountId?: string): Promise<Installation[]>
  removeInstallation(installationId: string): Promise<'removed' | 'already uninstalled' | undefined>
  /** False when no active installation has this id. */
  markTokenRejected(installationId: string): Promise<boolean>
  ledgerEntry(eventId: string): Promise<LedgerEntry | undefined>
  listUnhandledEvents(filter: UnhandledEventFilter): Promise<UnhandledEvent[]>
  listUnfinishedClaims(filter: ClaimFilter): Promise<UnfinishedClaim[]>
  /** Events recorded with no handler and not handed over yet (`events hand-over`). */
  listRecordedEvents(filter: RecordedEventFilter): Promise<ScomplerEvent[]>
  close(): Promise<void>
}

export async function openStoreAccess(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'tokenKeys'>,
): Promise<StoreAccess> {
  const tokens = createTokenCipher(config.tokenKeys)
  if (config.databaseUrl) return direct(await open(config), 'postgres', tokens)
  const owner = lockOwner(storeLockPath(path.join(config.dataDir, 'store')))
  if (owner !== undefined) return throughNpmStart(config.dataDir, owner)
  return direct(await open(config), 'embedded', tokens)
}

async function open(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  try {
    return await openDatabase(config)
  } catch (error) {
    throw new CliError(
      `the store could not be opened: ${(error as Error).message}`,
      EXIT.unreachable,
    )
  }
}

function direct(db: Database, via: StoreAccess['via'], tokens: TokenCipher): StoreAccess {
  return {
    via,
    addInstallation: (input) => recordInstallation({ db, tokens }, input),
    listInstallations: (accountId) => listInstallations(db, accountId),
    removeInstallation: (id) => removeInstallation(db, id),
    markTokenRejected: (id) => markTokenRejected({ db }, id),
    ledgerEntry: (eventId) => getLedgerEntry(db, eventId),
    listUnhandledEvents: (filter) => listUnhandledEvents(db, filter),
    listUnfinishedClaims: (filter) => listUnfinishedClaims(db, filter),
    listRecordedEvents: (filter) => listRecordedEvents(db, filter),
    close: () => db.close(),
  }
}

function throughNpmStart(dataDir: string, owner: number): StoreAccess {
  const admin = adminClient(dataDir)
  const call = async <T>(method: string, pathAndQuery: string, body?: unknown) => {
    try {
      return await admin.call<T>(method, pathAndQuery, body)
    } catch {
      throw new CliError(
        `npm start (process ${owner}) holds the embedded store, but its admin socket in ${dataDir} does not answer`,
        EXIT.unreachable,
      )
    }
  }
  const ok = <T>(answer: { status: number; body: T }): T => {
    if (answer.status < 400) return answer.body
    const { error, message } = answer.body as { error?: string; message?: string }
    throw Object.assign(new Error(message ?? error ?? 'refused'), { name: error ?? 'Error' })
  }
  const query = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`
  return {
    via: 'npm start',
    addInstallation: async (input) =>
      ok(await call<{ result: 'added' | 'updated' }>('POST', '/installations', input)).result,
    listInstallations: async (accountId) =>
      ok(
        await call<Installation[]>(
          'GET',
          `/installations${accountId ? `?${query('account_id', accountId)}` : ''}`,
        ),
      ),
    removeInstallation: async (id) => {
      const answer = await call<{ result: 'removed' | 'already uninstalled' }>(
        'DELETE',
        `/installations?${query('id', id)}`,
      )
      return answer.status === 404 ? undefined : ok(answer).result
    },
    markTokenRejected: async (id) => {
      const answer = await call('POST', `/installations/reject-token?${query('id', id)}`)
      if (answer.status === 404) return false
      ok(answer)
      return true
    },
    ledgerEntry: async (eventId) => {
      const answer = await call<LedgerEntry>('GET', `/ledger?${query('event_id', eventId)}`)
      return answer.status === 404 ? undefined : ok(answer)
    },
    listUnhandledEvents: async (filter) =>
      ok(await call<UnhandledEvent[]>('GET', `/unhandled-events?${filterQuery(filter)}`)),
    listUnfinishedClaims: async (filter) =>
      ok(await call<UnfinishedClaim[]>('GET', `/ledger/claims?${filterQuery(filter)}`)),
    listRecordedEvents: async (filter) =>
      ok(await call<ScomplerEvent[]>('GET', `/recorded-events?${filterQuery(filter)}`)),
    close: async () => {},
  }
}

function filterQuery(filter: UnhandledEventFilter & { after?: string }): string {
  const { event, accountId, since, after, limit } = filter
  return new URLSearchParams({
    limit: String(limit),
    ...(event !== undefined && { event }),
    ...(accountId !== undefined && { account_id: accountId }),
    ...(since !== undefined && { since: since.toISOString() }),
    ...(after !== undefined && { after }),
  }).toString()
}
