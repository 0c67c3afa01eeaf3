import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import SOURCE_DIR from '../source-dir.cjs'
import type { Database } from './database'

const MIGRATIONS_DIR = path.join(SOURCE_DIR, 'store/migrations')
/** Any constant works; it only has to be the same in every process migrating this database. */
const MIGRATION_LOCK_KEY = 7_142_020_260

/** Applies pending plain-SQL migrations in order, once, even with several processes starting. */
export async function migrate(db: Database): Promise<string[]> {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .sort()
  return db.transaction(async (tx) => {
    // Not bound by the store's timeouts for everyday work: a migration may rewrite a large table,
    // and another process may hold the migration lock while it does.
    await tx.exec("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '10min'")
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await tx.query<{ version: string }>('SELECT version FROM schema_migrations')
    const applied = new Set(rows.map((row) => row.version))
    const pending = files.filter((file) => !applied.has(file))
    for (const file of pending) {
      await tx.exec(readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8'))
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file])
    }
    return pending
  })
}
