import { isEncrypted, type TokenCipher } from './token-cipher'
import type { Database, Queryable } from './database'

export interface Installation {
  installationId: string
  accountId: string
  status: 'active' | 'uninstalled'
  installedAt: Date | null
  uninstalledAt: Date | null
  hasToken: boolean
  /** Set when the app's call to Scompler was refused with its token (the token is gone). */
  tokenRejectedAt: Date | null
}

/** Only activities that call the Scompler API need the token itself; null once rejected. */
export interface ActiveInstallation extends Installation {
  accessToken: string | null
}

export interface NewInstallation {
  installationId: string
  accountId: string
  accessToken: string
  installedAt?: Date
}

/** The installation was uninstalled (or belongs to another account): it cannot come back. */
export class InstallationRefusedError extends Error {
  override name = 'InstallationRefusedError'
}

const COLUMNS = `installation_id::text AS "installationId", account_id AS "accountId", status,
  installed_at AS "installedAt", uninstalled_at AS "uninstalledAt",
  access_token IS NOT NULL AS "hasToken", token_rejected_at AS "tokenRejectedAt"`

/**
 * Takes the account's lock for the rest of the transaction. Uninstall, installation add and
 * posting handling take it first (before any row lock), so they take turns per account: a
 * reinstall cannot slip in under a cleanup that has already judged the account uninstalled.
 */
export async function lockAccount(tx: Queryable, accountId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('scompler-account:' || $1, 0))`, [
    accountId,
  ])
}

function isDatabase(db: Queryable): db is Database {
  return typeof (db as Partial<Database>).transaction === 'function'
}

/**
 * Adds an installation, or replaces the token of an active one. Refuses an uninstalled one.
 * The token is written through `tokens` (encrypted when a key is configured). Given the store, it
 * runs in a transaction of its own under the account's lock; given a transaction, in that one.
 */
export async function addInstallation(
  db: Queryable,
  input: NewInstallation,
  tokens: TokenCipher,
): Promise<'added' | 'updated'> {
  if (isDatabase(db)) return db.transaction((tx) => addInstallation(tx, input, tokens))
  await lockAccount(db, input.accountId)
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO installations (installation_id, account_id, access_token, status, installed_at)
     VALUES ($1, $2, $3, 'active', $4::timestamptz)
     ON CONFLICT (installation_id) DO UPDATE
       SET access_token = EXCLUDED.access_token, token_rejected_at = NULL, updated_at = now()
       WHERE installations.status = 'active' AND installations.account_id = EXCLUDED.account_id
     RETURNING (xmax = 0) AS inserted`,
    [
      input.installationId,
      input.accountId,
      tokens.encrypt(input.accessToken, input.installationId),
      (input.installedAt ?? new Date()).toISOString(),
    ],
  )
  if (rows[0] === undefined) {
    throw new InstallationRefusedError(
      `installation ${input.installationId} was uninstalled or belongs to another account`,
    )
  }
  return rows[0].inserted ? 'added' : 'updated'
}

/**
 * The app's call to Scompler was refused with this installation's token: the token is dropped and
 * the time kept, until a new token is recorded. False when there is no active installation of that
 * id. Under the account's lock, like installation add, so a new token recorded at the same time is
 * either rejected too or kept, never half.
 */
export async function markTokenRejected(db: Queryable, installationId: string): Promise<boolean> {
  if (isDatabase(db)) return db.transaction((tx) => markTokenRejected(tx, installationId))
  const found = await getInstallation(db, installationId)
  if (found?.status !== 'active') return false
  await lockAccount(db, found.accountId)
  const { rows } = await db.query(
    `UPDATE installations SET access_token = NULL, token_rejected_at = now(), updated_at = now()
     WHERE installation_id = $1 AND status = 'active' RETURNING 1`,
    [installationId],
  )
  return rows.length > 0
}

export async function getInstallation(
  db: Queryable,
  installationId: string,
): Promise<Installation | undefined> {
  const { rows } = await db.query<Installation>(
    `SELECT ${COLUMNS} FROM installations WHERE installation_id = $1`,
    [installationId],
  )
  return rows[0]
}

export async function listInstallations(
  db: Queryable,
  accountId?: string,
): Promise<Installation[]> {
  const { rows } = await db.query<Installation>(
    `SELECT ${COLUMNS} FROM installations WHERE $1::text IS NULL OR account_id = $1
     ORDER BY installed_at DESC NULLS LAST, installation_id`,
    [accountId ?? null],
  )
  return rows
}

/** Locks one installation row for the rest of the transaction (uninstall and posting serialize). */
export async function lockInstallation(
  tx: Queryable,
  installationId: string,
): Promise<Installation | undefined> {
  const { rows } = await tx.query<Installation>(
    `SELECT ${COLUMNS} FROM installations WHERE installation_id = $1 FOR UPDATE`,
    [installationId],
  )
  return rows[0]
}

const NEWEST_ACTIVE = `WHERE account_id = $1 AND status = 'active'
  ORDER BY installed_at DESC NULLS LAST LIMIT 1 FOR UPDATE`

/**
 * Locks the account's newest active installation, if any. Its token is not read: the posting
 * step needs none, and an active installation's token may be gone (rejected, migration 005).
 */
export async function lockNewestActiveInstallation(
  tx: Queryable,
  accountId: string,
): Promise<Installation | undefined> {
  const { rows } = await tx.query<Installation>(
    `SELECT ${COLUMNS} FROM installations ${NEWEST_ACTIVE}`,
    [accountId],
  )
  return rows[0]
}

/**
 * Locks the account's newest active installation, if any, with its token decrypted: null when
 * the token was rejected (the installation stays active until a new token is recorded).
 */
export async function lockActiveInstallation(
  tx: Queryable,
  accountId: string,
  tokens: TokenCipher,
): Promise<ActiveInstallation | undefined> {
  const { rows } = await tx.query<Installation & { storedToken: string | null }>(
    `SELECT ${COLUMNS}, access_token AS "storedToken" FROM installations ${NEWEST_ACTIVE}`,
    [accountId],
  )
  const row = rows[0]
  if (row === undefined) return undefined
  const { storedToken, ...installation } = row
  const accessToken = storedToken === null ? null : tokens.decrypt(storedToken, row.installationId)
  return { ...installation, accessToken }
}

/**
 * Re-encrypts, under the current key, every token stored in plaintext or under the previous key
 * (after a key rotation, or when a key is first configured). Idempotent. Tokens under a key that
 * is not configured are left as they are and counted.
 */
export async function reencryptTokens(
  db: Queryable,
  tokens: TokenCipher,
): Promise<{ reencrypted: number; unreadable: number }> {
  const counts = { reencrypted: 0, unreadable: 0 }
  if (!tokens.encrypting) return counts
  const { rows } = await db.query<{ installationId: string; token: string }>(
    `SELECT installation_id::text AS "installationId", access_token AS token FROM installations
     WHERE access_token IS NOT NULL`,
  )
  for (const { installationId, token } of rows.filter((row) => tokens.isStale(row.token))) {
    let fresh: string
    try {
      const plain = isEncrypted(token) ? tokens.decrypt(token, installationId) : token
      fresh = tokens.encrypt(plain, installationId)
    } catch {
      counts.unreadable++
      continue
    }
    const { rows: updated } = await db.query(
      `UPDATE installations SET access_token = $2 WHERE installation_id = $1 AND access_token = $3
       RETURNING 1`,
      [installationId, fresh, token],
    )
    counts.reencrypted += updated.length
  }
  return counts
}

/** Removes the token and marks the installation uninstalled (the caller holds its row lock). */
export async function deactivateInstallation(
  tx: Queryable,
  installationId: string,
  at: string,
): Promise<void> {
  await tx.query(
    `UPDATE installations
     SET status = 'uninstalled', access_token = NULL, uninstalled_at = $2::timestamptz,
         updated_at = now()
     WHERE installation_id = $1`,
    [installationId, at],
  )
}

/** Remembers an installation we never saw, as uninstalled, so it cannot be added later. */
export async function insertTombstone(
  tx: Queryable,
  installationId: string,
  accountId: string,
  at: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO installations (installation_id, account_id, status, uninstalled_at)
     VALUES ($1, $2, 'uninstalled', $3::timestamptz) ON CONFLICT (installation_id) DO NOTHING`,
    [installationId, accountId, at],
  )
}

/**
 * Counts the account's active installations newer than `installationId` (installed at the same
 * time or later, by installed_at): while one exists, the account's related data is its data. An
 * older one still marked active (its uninstall was lost or is late) does not count.
 */
export async function countNewerActiveInstallations(
  tx: Queryable,
  accountId: string,
  installationId: string,
): Promise<number> {
  const { rows } = await tx.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM installations AS other, installations AS this
     WHERE this.installation_id = $2 AND other.account_id = $1
       AND other.installation_id <> this.installation_id AND other.status = 'active'
       AND (this.installed_at IS NULL OR other.installed_at IS NULL
            OR other.installed_at >= this.installed_at)`,
    [accountId, installationId],
  )
  return rows[0]?.count ?? 0
}

/**
 * Uninstalls by hand (the CLI): the token goes, the row stays as a tombstone so the installation
 * cannot come back. Undefined when there is no such installation. Under the account's lock, like
 * uninstall and installation add, so it takes its turn with them.
 */
export async function removeInstallation(
  db: Queryable,
  installationId: string,
): Promise<'removed' | 'already uninstalled' | undefined> {
  if (isDatabase(db)) return db.transaction((tx) => removeInstallation(tx, installationId))
  const found = await getInstallation(db, installationId)
  if (found === undefined) return undefined
  await lockAccount(db, found.accountId)
  const { rows } = await db.query<{ status: string }>(
    `UPDATE installations AS i
     SET status = 'uninstalled', access_token = NULL,
         uninstalled_at = COALESCE(i.uninstalled_at, now()), updated_at = now()
     FROM installations AS before
     WHERE i.installation_id = $1 AND before.installation_id = i.installation_id
     RETURNING before.status`,
    [installationId],
  )
  if (rows[0] === undefined) return undefined
  return rows[0].status === 'active' ? 'removed' : 'already uninstalled'
}
