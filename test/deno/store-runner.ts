// Run by Deno (test/deno/store.test.ts): opens the store as the entry points do (DATABASE_URL
// set: PostgreSQL; unset: PGlite under DATA_DIR), adds an installation, and prints what it reads.
import { randomUUID } from 'node:crypto'
import { openDatabase } from '../../src/store/database'
import { addInstallation, getInstallation } from '../../src/store/installations'
import { createTokenCipher } from '../../src/store/token-cipher'

async function main(): Promise<void> {
  const db = await openDatabase({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: process.env.DATA_DIR!,
  })
  try {
    const installationId = randomUUID()
    await addInstallation(
      db,
      { installationId, accountId: '42', accessToken: 'token' },
      createTokenCipher(undefined),
    )
    const { rows } = await db.query<{ version: string }>('SELECT version FROM schema_migrations')
    process.stdout.write(
      JSON.stringify({
        kind: db.kind,
        migrations: rows.map((row) => row.version),
        installation: await getInstallation(db, installationId),
      }),
    )
  } finally {
    await db.close()
  }
}

void main()
