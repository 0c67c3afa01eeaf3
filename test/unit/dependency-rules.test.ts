// The one-way dependencies between roles are lint rules (eslint.config.mjs); these cases show
// that each rule catches what it is there for, so a broken pattern cannot pass unnoticed.
import path from 'node:path'
import { ESLint } from 'eslint'

const eslint = new ESLint({ cwd: path.join(__dirname, '../..') })

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message)
}

describe('dependency rules', () => {
  it.each([
    ['src/http/app.ts', "import { createWorker } from '../worker/create-worker'"],
    ['src/http/app.ts', "import { openDatabase } from '../store/database'"],
    ['src/http/app.ts', "import { createActivities } from '../../activities'"],
    ['src/http/app.ts', "import { Worker } from '@temporalio/worker'"],
    ['src/api.ts', "import { openDatabase } from './store/database'"],
    ['src/api.ts', "import { startDevServer } from './temporal/dev-server'"],
    ['src/http/server.ts', "import { spawn } from 'node:child_process'"],
    ['src/lib/index.ts', "export { openStore } from '../store/open-store'"],
    ['src/lib/index.ts', "import { createWorker } from '../worker/create-worker'"],
    ['src/lib/index.ts', "import { Pool } from 'pg'"],
    ['src/lib/index.ts', "import { PGlite } from '@electric-sql/pglite'"],
    ['src/config.ts', "import type { WebhookSecrets } from './http/signature'"],
    ['src/temporal/client.ts', "import { createApp } from '../http/app'"],
    ['src/shared/logger.ts', "import { loadConfig } from '../config'"],
    ['src/store/ledger.ts', "import { createClient } from '../temporal/client'"],
    ['activities/ledger.ts', "import { createApp } from '../src/http/app'"],
    ['src/cli/send.ts', "import { createWorker } from '../worker/create-worker'"],
    ['workflows/claim.ts', "import { parseEnvelope } from '../src/events'"],
    ['workflows/claim.ts', "import { readFileSync } from 'node:fs'"],
    ['workflows/claim.ts', "import { createActivities } from '../activities'"],
  ])('%s may not: %s', async (file, code) => {
    expect(await restrictedImports(file, `${code}\nexport const x = 1\n`)).toHaveLength(1)
  })

  it.each([
    ['src/http/app.ts', "import { parseEnvelope } from '../events'"],
    ['src/http/server.ts', "import { createEventStarter } from '../temporal/start-event'"],
    ['src/lib/index.ts', "export { createWebhookMiddleware } from '../http/webhook'"],
    ['src/worker/create-worker.ts', "import { createActivities } from '../../activities'"],
    ['workflows/claim.ts', "import type { Activities } from '../activities'"],
    ['workflows/claim.ts', "import { FAILURE } from '../src/domain'"],
  ])('%s may: %s', async (file, code) => {
    expect(await restrictedImports(file, `${code}\nexport const x = 1\n`)).toEqual([])
  })
})
