// `npm start`'s admin API on a Unix socket in DATA_DIR (mode 0600): the CLI reaches the embedded
// store through the one process that may open it, instead of sharing PGlite's single session.
import { chmodSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { listen, type Listening } from '../shared/listen'
import type { Database } from '../store/database'
import type { TokenCipher } from '../store/token-cipher'
import { addInstallation, listInstallations, removeInstallation } from '../store/installations'
import { getLedgerEntry } from '../store/ledger'
import { adminSocketPath, type RuntimeInfo } from './protocol'

interface Store {
  db: Database
  tokens: TokenCipher
}

type Route = (store: Store, req: IncomingMessage, url: URL) => Promise<[number, unknown]>

const ROUTES: Record<string, Route> = {
  'GET /installations': async ({ db }, _req, url) => [
    200,
    await listInstallations(db, url.searchParams.get('account_id') ?? undefined),
  ],
  'POST /installations': async ({ db, tokens }, req) => [
    200,
    { result: await addInstallation(db, parseInstallation(await readJson(req)), tokens) },
  ],
  'DELETE /installations': async ({ db }, _req, url) => {
    const result = await removeInstallation(db, url.searchParams.get('id') ?? '')
    return result ? [200, { result }] : [404, { error: 'not_found' }]
  },
  'GET /ledger': async ({ db }, _req, url) => {
    const entry = await getLedgerEntry(db, url.searchParams.get('event_id') ?? '')
    return entry ? [200, entry] : [404, { error: 'not_found' }]
  },
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
      .catch((error: Error): [number, unknown] => [
        error.name === 'InstallationRefusedError' || 'code' in error ? 400 : 500,
        { error: error.name, message: error.message },
      ])
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

function parseInstallation(body: unknown) {
  const { installationId, accountId, accessToken } = (body ?? {}) as Record<string, unknown>
  if ([installationId, accountId, accessToken].some((value) => typeof value !== 'string')) {
    throw Object.assign(new Error('installationId, accountId and accessToken are required'), {
      code: 'bad_request',
    })
  }
  return {
    installationId: installationId as string,
    accountId: accountId as string,
    accessToken: accessToken as string,
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
}
