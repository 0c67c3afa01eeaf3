// Search attributes and namespace retention. `npm run setup` registers them (idempotent); the API
// and the worker only check, and report not-ready while something is missing.
import type { ConnectionLike } from '@temporalio/client'
// The default import: Deno cannot see the named exports of this CommonJS module.
import proto from '@temporalio/proto'
import Long from 'long'
import { SEARCH_ATTRIBUTE_KEYS } from '../domain'
import { withTimeout } from '../shared/retry'

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Ready when Temporal answers within `timeoutMs` and our search attributes are registered; else
 * the reason (the API's and the worker's /readyz).
 */
export async function temporalReadiness(
  connection: ConnectionLike,
  namespace: string,
  timeoutMs = 3000,
): Promise<string | undefined> {
  try {
    const missing = await withTimeout(timeoutMs, (signal) =>
      connection.withAbortSignal(signal, () => missingSearchAttributes(connection, namespace)),
    )
    if (missing.length === 0) return undefined
    return `search attributes missing in namespace ${namespace}: ${missing.join(', ')} (run npm run setup)`
  } catch {
    return 'Temporal is unreachable'
  }
}

/** Names of our search attributes that the namespace does not have yet. */
export async function missingSearchAttributes(
  connection: ConnectionLike,
  namespace: string,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace })
  return SEARCH_ATTRIBUTE_KEYS.map((key) => key.name).filter(
    (name) => customAttributes?.[name] === undefined,
  )
}

async function registerSearchAttributes(
  connection: ConnectionLike,
  namespace: string,
): Promise<string[]> {
  const missing = await missingSearchAttributes(connection, namespace)
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    })
  }
  return missing
}

/**
 * Retention must cover WEBHOOK_MAX_AGE: within it, Temporal itself answers a redelivery as a
 * duplicate. Never shortens a longer retention someone chose.
 */
function retentionFor(maxAgeMs: number): number {
  return Math.ceil(maxAgeMs / DAY_MS) * DAY_MS + DAY_MS
}

async function ensureRetention(
  connection: ConnectionLike,
  namespace: string,
  retentionMs: number,
): Promise<{ before: number; after: number }> {
  const described = await connection.workflowService.describeNamespace({ namespace })
  const ttl = described.config?.workflowExecutionRetentionTtl
  const before = ttl ? Number(ttl.seconds ?? 0) * 1000 : 0
  if (before >= retentionMs) return { before, after: before }
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(retentionMs / 1000) } },
  })
  return { before, after: retentionMs }
}

export async function setupNamespace(
  connection: ConnectionLike,
  namespace: string,
  maxAgeMs: number,
): Promise<{ registered: string[]; retentionDays: number }> {
  const registered = await registerSearchAttributes(connection, namespace)
  const { after } = await ensureRetention(connection, namespace, retentionFor(maxAgeMs))
  return { registered, retentionDays: after / DAY_MS }
}
