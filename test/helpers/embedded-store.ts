// As `npm start` holds it: the embedded store (PGlite, its lock) under a temp DATA_DIR and the
// admin socket the CLI reaches it through.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RuntimeInfo as AdminInfo } from '../../src/admin/protocol'
import { startAdminServer } from '../../src/admin/server'
import { openDatabase, type Database } from '../../src/store/database'
import { TEST_TOKENS } from './tokens'

export interface EmbeddedStore {
  dataDir: string
  db: Database
  close(): Promise<void>
}

const NO_TEMPORAL: AdminInfo = {
  temporalAddress: 'x',
  namespace: 'default',
  webhookUrl: 'y',
  webUiUrl: undefined,
}

export async function startEmbeddedStore(
  name: string,
  info: Partial<AdminInfo> = {},
): Promise<EmbeddedStore> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${name}-`))
  const db = await openDatabase({ databaseUrl: undefined, dataDir })
  const server = await startAdminServer({
    dataDir,
    db,
    tokens: TEST_TOKENS,
    info: { ...NO_TEMPORAL, ...info },
  })
  return {
    dataDir,
    db,
    async close() {
      await server.close()
      await db.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The same for a describe block: started before its tests, closed after them. */
export function useEmbeddedStore(name: string): () => EmbeddedStore {
  let store: EmbeddedStore | undefined
  beforeAll(async () => {
    store = await startEmbeddedStore(name)
  })
  afterAll(async () => {
    await store?.close()
  })
  return () => {
    if (!store) throw new Error('the embedded store is not started (use inside the describe)')
    return store
  }
}
