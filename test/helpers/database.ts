import { randomBytes } from 'node:crypto'
import { Client as PgClient } from 'pg'
import { openDatabase, type Database } from '../../src/store/database'
import { ADMIN_DATABASE_URL } from './environment'

export interface TestDatabase {
  url: string
  db: Database
  drop: () => Promise<void>
}

async function admin<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: ADMIN_DATABASE_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A fresh, empty database of its own on the shared server. */
export async function createEmptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `scompler_test_${randomBytes(6).toString('hex')}`
  await admin((client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(ADMIN_DATABASE_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}

/** A fresh database of its own on the shared server, migrated; dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase()
  const db = await openDatabase({ databaseUrl: empty.url, dataDir: '' })
  return {
    url: empty.url,
    db,
    async drop() {
      await db.close()
      await empty.drop()
    },
  }
}
