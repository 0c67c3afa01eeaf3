// One SQL schema, two drivers: PostgreSQL (DATABASE_URL) and embedded PGlite (DATA_DIR).
// Queries are written once against `Queryable`; only connection handling differs.
import path from 'node:path'
import { migrate } from './migrate'
import { openPglite } from './pglite'
import { openPostgres } from './postgres'

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface StoreOptions {
  databaseUrl: string | undefined
  dataDir: string
}

/** Opens the store and applies pending migrations. */
export async function openDatabase(options: StoreOptions): Promise<Database> {
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl)
    : await openPglite(path.join(options.dataDir, 'store'))
  try {
    await migrate(db)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
