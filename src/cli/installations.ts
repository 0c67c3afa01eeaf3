// `installations add|list|remove` over the store (see store-access.ts for which way it goes).
import { randomUUID } from 'node:crypto'
import { decimalId, installationId } from '../events'
import { CliError, EXIT } from './cli-error'
import type { CliContext } from './context'
import { formatDate, print, table } from './output'
import type { StoreAccess } from './store-access'

// The envelope's own schemas, so an id means the same thing here as in a webhook.
function checkInstallationId(id: string): string {
  const parsed = installationId.safeParse(id)
  if (!parsed.success) throw new CliError(`installation id ${id} is not a UUID`, EXIT.usage)
  return parsed.data
}

export function checkAccountId(id: string): string {
  const parsed = decimalId.safeParse(id)
  if (!parsed.success) throw new CliError('--account-id must be a decimal integer', EXIT.usage)
  return parsed.data
}

export interface AddOptions {
  accountId: string
  installationId?: string
  token?: string
}

export async function addCommand(context: CliContext, store: StoreAccess, options: AddOptions) {
  const input = {
    installationId: checkInstallationId(options.installationId ?? randomUUID()),
    accountId: checkAccountId(options.accountId),
    // A placeholder token is enough to try the uninstall flow locally.
    accessToken: options.token ?? `test-token-${randomUUID()}`,
  }
  let result: string
  try {
    result = await store.addInstallation(input)
  } catch (error) {
    if ((error as Error).name !== 'InstallationRefusedError') throw error
    throw new CliError((error as Error).message, EXIT.failed)
  }
  const { installationId, accountId } = input
  print(
    context,
    { result, installationId, accountId },
    `${result} installation ${installationId} (account ${accountId})`,
  )
}

export async function listCommand(context: CliContext, store: StoreAccess, accountId?: string) {
  const rows = await store.listInstallations(accountId && checkAccountId(accountId))
  const header = ['INSTALLATION ID', 'ACCOUNT', 'STATUS', 'TOKEN', 'INSTALLED', 'UNINSTALLED']
  const lines = rows.map((row) => [
    row.installationId,
    row.accountId,
    row.status,
    row.tokenRejectedAt ? 'rejected' : row.hasToken ? 'yes' : 'no',
    formatDate(row.installedAt),
    formatDate(row.uninstalledAt),
  ])
  print(context, rows, rows.length ? table([header, ...lines]) : 'no installations')
}

export async function removeCommand(context: CliContext, store: StoreAccess, id: string) {
  const installationId = checkInstallationId(id)
  const result = await store.removeInstallation(installationId)
  if (!result) throw new CliError(`no installation ${installationId}`, EXIT.notFound)
  print(context, { result, installationId }, `${result}: installation ${installationId}`)
}

export async function rejectTokenCommand(context: CliContext, store: StoreAccess, id: string) {
  const installationId = checkInstallationId(id)
  if (!(await store.markTokenRejected(installationId))) {
    throw new CliError(`no active installation ${installationId}`, EXIT.notFound)
  }
  print(
    context,
    { result: 'token rejected', installationId },
    `token rejected: installation ${installationId} (its token is dropped until a new one is added)`,
  )
}
