// `events show|list|replay`: runs from Temporal (history and visibility) and the ledger.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client'
import {
  SCOMPLER_ACCOUNT_ID,
  SCOMPLER_EVENT,
  WORKFLOW_TYPES,
  UNHANDLED_EVENT_WORKFLOW,
} from '../domain'
import { CliError, EXIT } from './cli-error'
import { runUrl, type CliContext } from './context'
import { summarizeHistory } from './history'
import { formatDate, print, table } from './output'
import type { StoreAccess } from './store-access'

/** Failed, terminated and timed-out runs: those a replay can run again. */
const FAILED_STATUSES = ['Failed', 'Terminated', 'TimedOut']
const OUR_WORKFLOWS = [...Object.values(WORKFLOW_TYPES), UNHANDLED_EVENT_WORKFLOW]

export async function showEvent(
  context: CliContext,
  client: Client,
  store: StoreAccess,
  eventId: string,
) {
  const ledger = await store.ledgerEntry(eventId)
  const description = await describeLatest(client, eventId)
  if (!description && !ledger) throw new CliError(`no event ${eventId}`, EXIT.notFound)
  const run = description
    ? {
        runId: description.runId,
        workflowType: description.type,
        status: description.status.name,
        startTime: description.startTime,
        closeTime: description.closeTime ?? null,
        ...summarizeHistory(
          await client.workflow.getHandle(eventId, description.runId).fetchHistory(),
        ),
        pendingActivities: (description.raw.pendingActivities ?? []).map((activity) => ({
          name: activity.activityType?.name,
          attempt: activity.attempt,
          lastFailure: activity.lastFailure?.message ?? undefined,
        })),
        webUiUrl: runUrl(context, eventId, description.runId),
      }
    : undefined
  const shown = { eventId, run: run ?? null, ledger: ledger ?? null }
  print(context, shown, describeText(shown))
}

function describeText(shown: {
  eventId: string
  run?: Record<string, unknown> | null
  ledger: unknown
}) {
  const lines = [`event ${shown.eventId}`]
  const run = shown.run
  if (run) {
    lines.push(`  run       ${String(run.runId)} (${String(run.workflowType)})`)
    lines.push(`  status    ${String(run.status)}`)
    if (run.result !== undefined) lines.push(`  result    ${JSON.stringify(run.result)}`)
    if (typeof run.failure === 'string') lines.push(`  failure   ${run.failure}`)
    lines.push(`  attempts  ${JSON.stringify(run.activities)}`)
    lines.push(`  Web UI    ${String(run.webUiUrl)}`)
  } else {
    lines.push('  run       no longer in Temporal (past the namespace retention)')
  }
  lines.push(`  ledger    ${shown.ledger ? JSON.stringify(shown.ledger) : 'no entry'}`)
  return lines.join('\n')
}

export interface ListOptions {
  failed?: boolean
  accountId?: string
  event?: string
  limit: number
}

export function visibilityQuery(options: Omit<ListOptions, 'limit'>): string {
  const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`
  const parts = [`WorkflowType IN (${OUR_WORKFLOWS.map(quote).join(', ')})`]
  if (options.event) parts.push(`${SCOMPLER_EVENT.name} = ${quote(options.event)}`)
  if (options.accountId) parts.push(`${SCOMPLER_ACCOUNT_ID.name} = ${quote(options.accountId)}`)
  if (options.failed) {
    parts.push(`(${FAILED_STATUSES.map((s) => `ExecutionStatus = ${quote(s)}`).join(' OR ')})`)
  }
  return parts.join(' AND ')
}

export async function listEvents(context: CliContext, client: Client, options: ListOptions) {
  const rows: ReturnType<typeof listRow>[] = []
  for await (const info of client.workflow.list({ query: visibilityQuery(options) })) {
    rows.push(listRow(info))
    if (rows.length >= options.limit) break
  }
  const header = ['EVENT ID', 'EVENT', 'ACCOUNT', 'STATUS', 'STARTED']
  const lines = rows.map((r) => [
    r.eventId,
    r.event ?? '-',
    r.accountId ?? '-',
    r.status,
    r.startTime,
  ])
  print(context, rows, rows.length ? table([header, ...lines]) : 'no events')
}

function listRow(info: WorkflowExecutionInfo) {
  return {
    eventId: info.workflowId,
    runId: info.runId,
    event: info.typedSearchAttributes.get(SCOMPLER_EVENT),
    accountId: info.typedSearchAttributes.get(SCOMPLER_ACCOUNT_ID),
    status: info.status.name,
    startTime: formatDate(info.startTime),
    closeTime: info.closeTime ? formatDate(info.closeTime) : null,
  }
}

export async function describeLatest(client: Client, eventId: string) {
  try {
    return await client.workflow.getHandle(eventId).describe()
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined
    throw error
  }
}
