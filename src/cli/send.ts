// `send <event>`: a valid, signed test event posted to the endpoint, like `stripe trigger`.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError, loadSecrets } from '../config'
import { APP_UNINSTALLED, POSTING_SENT_TO_PUBLISH, SIGNATURE_HEADER, WEBHOOK_PATH } from '../domain'
import { signPayload } from '../http/signature'
import { CliError, EXIT } from './cli-error'
import { runUrl, type CliContext } from './context'
import { print } from './output'

export interface SendOptions {
  url?: string
  accountId: string
  data: string[]
  dataFile?: string
  id?: string
}

/** Sensible `data` for each known event; any other event gets `{}`. */
function sampleData(event: string): Record<string, unknown> {
  if (event === APP_UNINSTALLED) {
    return { installation_id: randomUUID(), delete_related_data: false }
  }
  if (event === POSTING_SENT_TO_PUBLISH) return { posting_id: 1001, service_id: 1 }
  return {}
}

export function buildEvent(event: string, options: SendOptions) {
  return {
    id: options.id ?? randomUUID(),
    event,
    account_id: options.accountId,
    data: { ...sampleData(event), ...readDataFile(options.dataFile), ...parsePairs(options.data) },
    occurred_at: new Date().toISOString(),
  }
}

/** `key=value`; the value is JSON when it parses (numbers, booleans), else a string. */
export function parsePairs(pairs: string[]): Record<string, unknown> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=')
      if (at < 1) throw new CliError(`--data ${pair}: expected key=value`, EXIT.usage)
      const raw = pair.slice(at + 1)
      try {
        return [pair.slice(0, at), JSON.parse(raw) as unknown]
      } catch {
        return [pair.slice(0, at), raw]
      }
    }),
  )
}

function readDataFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {}
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new CliError(`--data-file ${file}: not a readable JSON file`, EXIT.usage)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CliError(`--data-file ${file}: must hold a JSON object`, EXIT.usage)
  }
  return data as Record<string, unknown>
}

export async function send(context: CliContext, event: string, options: SendOptions) {
  const secret = appSecret(context)
  const url = options.url ?? context.runtime?.webhookUrl ?? defaultUrl(context)
  const body = JSON.stringify(buildEvent(event, options))
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [SIGNATURE_HEADER]: signPayload(secret, body),
      },
      body,
      signal: AbortSignal.timeout(15_000),
    })
  } catch {
    throw new CliError(`the webhook endpoint ${url} is unreachable`, EXIT.unreachable)
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, string>
  const link = answer.workflowId ? runUrl(context, answer.workflowId, answer.runId) : undefined
  print(
    context,
    { httpStatus: res.status, response: answer, webUiUrl: link },
    `${res.status} ${JSON.stringify(answer)}${link ? `\nWeb UI: ${link}` : ''}`,
  )
  if (!res.ok) throw new CliError(`the endpoint answered ${res.status}`, EXIT.failed)
}

function appSecret(context: CliContext): string {
  try {
    return loadSecrets(context.env).current
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage)
    throw error
  }
}

function defaultUrl(context: CliContext): string {
  return `http://localhost:${context.config.http.port}${WEBHOOK_PATH}`
}
