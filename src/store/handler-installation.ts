// The installation a handler is given: read after the store's step, outside any transaction (a
// handler may run for minutes and must hold no lock or connection meanwhile).
import type { Queryable } from './database'

export interface StoredInstallation {
  installationId: string
  accountId: string
  installedAt: Date | null
  /** Encrypted (or legacy plaintext); null once uninstalled or rejected. */
  storedToken: string | null
}

const COLUMNS = `installation_id::text AS "installationId", account_id AS "accountId",
  installed_at AS "installedAt", access_token AS "storedToken"`

/** The installation the step named, else the account's newest active one. */
export async function findHandlerInstallation(
  db: Queryable,
  where: { installationId?: string; accountId: string },
): Promise<StoredInstallation | undefined> {
  const { rows } = where.installationId
    ? await db.query<StoredInstallation>(
        `SELECT ${COLUMNS} FROM installations WHERE installation_id = $1 AND account_id = $2`,
        [where.installationId, where.accountId],
      )
    : await db.query<StoredInstallation>(
        `SELECT ${COLUMNS} FROM installations WHERE account_id = $1 AND status = 'active'
         ORDER BY installed_at DESC NULLS LAST LIMIT 1`,
        [where.accountId],
      )
  return rows[0]
}
