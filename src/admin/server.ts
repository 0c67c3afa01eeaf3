// `npm start`'s admin API on a Unix socket in DATA_DIR (mode 0600): the CLI reaches the embedded
// store through the one process that may open it, instead of sharing PGlite's single session.
import { chmodSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import getRawBody from 'raw-body'
import { z } from 'zod'
import { decimalId, describeIssues, installationId } from '../events'
import { listen, type Listening } from '../shared/listen'
import { markTokenRejected, recordInstallation } from '../lib/store'
import type { Database } from '../store/database'
import type { TokenCipher } from '../store/token-cipher'
import {
  InstallationRefusedError,
  listInstallations,
  removeInstallation,
} from '../store/installations'
import { getLedgerEntry } from '../store/ledger'
import { listUnfinishedClaims } from '../store/ledger-claims'
import { listRecordedEvents } from '../store/recorded-events'
import { listUnhandledEvents } from '../store/records'
import { adminSocketPath, type RuntimeInfo } from './protocol'

interface Store {
  db: Database
  tokens: TokenCipher
}

/** A request the admin socket refuses; `message` names the field, never its value. */
class AdminRequestError extends Error {
  override name = 'AdminRequestError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** The CLI sends small JSON documents; anything larger is refused before it is buffered. */
const MAX_BODY_BYTES = 64 * 1024

// The same schemas as the webhook envelope's, so an id means the same thing everywhere.
const newInstallation = z.strictObject({
  installationId,
  accountId: decimalId,
  accessToken: z.string().min(1).max(8192),
})
const installationQuery = z.object({ id: installationId })
const accountQuery = z.object({ account_id: decimalId.optional() })
const ledgerQuery = z.object({ event_id: z.guid('must be a UUID') })
const filterQuery = z
  .strictObject({
    event: z.string().min(1).max(200).optional(),
    account_id: decimalId.optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    after: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(10_000),
  })
  .transform(({ account_id, since, ...rest }) => ({
    ...rest,
    accountId: account_id,
    since: since === undefined ? undefined : new Date(since),
  }))

const recordedQuery = z
  .strictObject({
    event: z.string().min(1).max(200),
    since: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(10_000),
  })
  .transform(({ since, ...rest }) => ({
    ...rest,
    since: since === undefined ? undefined : new Date(since),
  }))

type Route = (store: Store, req: IncomingMessage, url: URL) => Promise<[number, unknown]>

const ROUTES: Record<string, Route> = {
  'GET /installations': async ({ db }, _req, url) => {
    const { account_id } = parse(accountQuery, query(url))
    return [200, await listInstallations(db, account_id)]
  },
  'POST /installations': async ({ db, tokens }, req) => {
    const input = parse(newInstallation, await readJson(req))
    return [200, { result: await recordInstallation({ db, tokens }, input) }]
  },
  'DELETE /installations': async ({ db }, _req, url) => {
    const result = await removeInstallation(db, parse(installationQuery, query(url)).id)
    return result ? [200, { result }] : [404, { error: 'not_found' }]
  },
  'POST /installations/reject-token': async ({ db }, _req, url) => {
    const marked = await markTokenRejected({ db }, parse(installationQuery, query(url)).id)
    return marked ? [200, { result: 'token rejected' }] : [404, { error: 'not_found' }]
  },
  'GET /ledger': async ({ db }, _req, url) => {
    const entry = await getLedgerEntry(db, parse(ledgerQuery, query(url)).event_id)
    return entry ? [200, entry] : [404, { error: 'not_found' }]
  },
  'GET /unhandled-events': async ({ db }, _req, url) => [
    200,
    await listUnhandledEvents(db, parse(filterQuery, query(url))),
  ],
  'GET /ledger/claims': async ({ db }, _req, url) => [
    200,
    await listUnfinishedClaims(db, parse(filterQuery, query(url))),
  ],
  'GET /recorded-events': async ({ db }, _req, url) => [
    200,
    await listRecordedEvents(db, parse(recordedQuery, query(url))),
  ],
}

export async function startAdminServer(options: {
  dataDir: string
  db: Database
  tokens: TokenCipher
  info: RuntimeInfo
}): Promise<Listening> {
  const socket = adminSocketPath(options.dataDir)
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin')
    const route = ROUTES[`${req.method} ${url.pathname}`]
    const answer: Promise<[number, unknown]> =
      url.pathname === '/info'
        ? Promise.resolve([200, options.info])
        : route
          ? route(options, req, url)
          : Promise.resolve([404, { error: 'not_found' }])
    void answer
      .catch((error: unknown): [number, unknown] => {
        if (error instanceof AdminRequestError) {
          return [error.status, { error: error.code, message: error.message }]
        }
        if (error instanceof InstallationRefusedError) {
          return [400, { error: error.name, message: error.message }]
        }
        return [500, { error: 'internal_error', message: 'Internal error' }]
      })
      .then(([status, body]) => {
        res.writeHead(status, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(body))
      })
  })
  // We hold the store's lock, so a socket file left here is a crashed run's.
  rmSync(socket, { force: true })
  const listening = await listen(server, { path: socket })
  chmodSync(socket, 0o600)
  return listening
}

function query(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams)
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new AdminRequestError(400, 'bad_request', describeIssues(parsed.error))
  return parsed.data
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text: string
  try {
    text = await getRawBody(req, { limit: MAX_BODY_BYTES, encoding: 'utf8' })
  } catch (error) {
    const tooLarge = (error as { type?: unknown }).type === 'entity.too.large'
    throw tooLarge
      ? new AdminRequestError(413, 'payload_too_large', `Body exceeds ${MAX_BODY_BYTES} bytes`)
      : new AdminRequestError(400, 'bad_request', 'The request body could not be read')
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new AdminRequestError(400, 'bad_request', 'Body is not JSON')
  }
}
