// `scompler-webhooks/store`: the store a worker runs on, and the installations an app's own code
// records (its install callback) or marks (a token Scompler refused).
import pino from 'pino'
import { z } from 'zod'
import { aesKey, ConfigError } from '../config'
import { decimalId, describeIssues, installationId } from '../events'
import type { Logger } from '../shared/logger'
import { openDatabase } from '../store/database'
import type { Store } from '../store/handle'
import {
  addInstallation,
  markTokenRejected as markRejected,
  type NewInstallation,
} from '../store/installations'
import type { TokenKeys } from '../store/token-cipher'
import { prepareTokenCipher } from '../store/tokens'

export { InstallationRefusedError } from '../store/installations'
export type { Queryable } from '../store/database'
export type { Store }

export interface StoreOptions {
  /** postgres://… The schema is migrated on open (idempotent, safe with several processes). */
  databaseUrl: string
  /** 32 bytes as 64 hex characters or base64; tokens are stored unencrypted without it. */
  tokenEncryptionKey?: string
  /** The key before a rotation: tokens under it are read and re-encrypted under the current one. */
  tokenEncryptionKeyPrevious?: string
  /** Connections of this process (default 10). */
  poolSize?: number
  /** Where the store's warnings go (an unencrypted store, tokens under an unknown key). */
  logger?: Logger
}

/** Opens the PostgreSQL store, migrates it and brings stored tokens under the current key. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const keys = tokenKeys(options)
  const poolSize = options.poolSize
  if (poolSize !== undefined && (!Number.isInteger(poolSize) || poolSize < 1)) {
    throw new ConfigError('poolSize must be a positive integer')
  }
  if (!options.databaseUrl) throw new ConfigError('databaseUrl is required')
  const db = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: '',
    storeLimits: poolSize === undefined ? {} : { poolSize },
  })
  try {
    const tokens = await prepareTokenCipher(db, keys, options.logger ?? pino({ enabled: false }))
    return { db, tokens, close: () => db.close() }
  } catch (error) {
    await db.close()
    throw error
  }
}

function tokenKeys(options: StoreOptions): TokenKeys | undefined {
  const { tokenEncryptionKey: current, tokenEncryptionKeyPrevious: previous } = options
  if (!current) {
    if (previous) throw new ConfigError('tokenEncryptionKeyPrevious needs tokenEncryptionKey')
    return undefined
  }
  return {
    current: aesKey(current, 'tokenEncryptionKey'),
    ...(previous && { previous: aesKey(previous, 'tokenEncryptionKeyPrevious') }),
  }
}

const installationInput = z.strictObject({
  installationId,
  accountId: decimalId,
  accessToken: z.string().min(1).max(8192),
  installedAt: z.date().optional(),
})

/**
 * Records an installation and its access token (what an install callback calls): 'added', or
 * 'updated' when the installation was active (its token is replaced and a rejection cleared).
 * Throws InstallationRefusedError for an uninstalled installation or one of another account.
 */
export async function recordInstallation(
  store: Pick<Store, 'db' | 'tokens'>,
  input: NewInstallation,
): Promise<'added' | 'updated'> {
  const parsed = installationInput.safeParse(input)
  if (!parsed.success) {
    throw new TypeError(`recordInstallation: ${describeIssues(parsed.error, 'input')}`)
  }
  return addInstallation(store.db, parsed.data, store.tokens)
}

/**
 * Scompler refused the app's call made with this installation's token: the token is dropped and
 * the time kept; handlers asking for the token fail (non-retryably) until recordInstallation
 * records a new one. False when no active installation has this id.
 */
export async function markTokenRejected(store: Pick<Store, 'db'>, id: string): Promise<boolean> {
  const parsed = installationId.safeParse(id)
  if (!parsed.success) throw new TypeError('markTokenRejected: installationId must be a UUID')
  return markRejected(store.db, parsed.data)
}
