import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../src/store/database'
import { addInstallation } from '../../src/store/installations'
import type { TokenCipher } from '../../src/store/token-cipher'
import { TEST_TOKENS } from './tokens'

/** Adds an active installation for the account, installed an hour ago unless said otherwise. */
export async function installFor(
  db: Queryable,
  accountId: string,
  options: { installedAt?: Date; accessToken?: string; tokens?: TokenCipher } = {},
): Promise<string> {
  const installationId = randomUUID()
  await addInstallation(
    db,
    {
      installationId,
      accountId,
      accessToken: options.accessToken ?? `token-${installationId}`,
      installedAt: options.installedAt ?? new Date(Date.now() - 3600_000),
    },
    options.tokens ?? TEST_TOKENS,
  )
  return installationId
}
