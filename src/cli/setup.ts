// `scompler-webhooks setup` and `npm run setup`: registers the search attributes and the
// namespace retention (src/temporal/namespace.ts). Idempotent: a second run changes nothing.
import type { Client, ConnectionLike } from '@temporalio/client'
import { setupNamespace } from '../temporal/namespace'
import { CliError, EXIT } from './cli-error'
import type { CliContext } from './context'
import { print } from './output'

export interface SetupResult {
  namespace: string
  address: string
  /** The search attributes this run registered (none when all were present). */
  registered: string[]
  retentionDays: number
}

/** The one implementation of setup, over a connection made by the caller. */
export async function setupTemporal(
  connection: ConnectionLike,
  { namespace, address, maxAgeMs }: { namespace: string; address: string; maxAgeMs: number },
): Promise<SetupResult> {
  const { registered, retentionDays } = await setupNamespace(connection, namespace, maxAgeMs)
  return { namespace, address, registered, retentionDays }
}

export function describeSetup({ namespace, address, registered, retentionDays }: SetupResult) {
  const attributes =
    registered.length > 0
      ? `registered ${registered.join(', ')}`
      : 'search attributes already present'
  return `setup: namespace ${namespace} at ${address}: ${attributes}; retention ${retentionDays} days`
}

/** gRPC NOT_FOUND: Temporal has no namespace of that name. */
const NOT_FOUND = 5

export async function setupCommand(context: CliContext, client: Client) {
  const { namespace, temporalAddress: address } = context
  let result: SetupResult
  try {
    result = await setupTemporal(client.connection, {
      namespace,
      address,
      maxAgeMs: context.config.webhook.maxAgeMs,
    })
  } catch (error) {
    if ((error as { code?: unknown }).code !== NOT_FOUND) throw error
    throw new CliError(
      `namespace ${namespace} does not exist at ${address} (create it, or set TEMPORAL_NAMESPACE)`,
      EXIT.notFound,
    )
  }
  print(context, result, describeSetup(result))
}
